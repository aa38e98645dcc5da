"""Kernel density ("heat surface") of event points on a regular grid in a metric CRS.

The estimate is the *binned* kernel density estimator: the points are spread onto the grid
nodes by linear binning and the node weights are convolved with the kernel evaluated once
on the grid, with zero-padded FFTs so nothing wraps around (Silverman 1982; Wand 1994;
Wand & Jones 1995, appendix D). The work is ``O(N + G log G)`` for ``N`` points and ``G``
grid nodes, independent of the bandwidth.

Kernels (``u = r / h`` with ``r`` the Euclidean distance in metres):

``gaussian``
    ``K_h(r) = exp(-r² / 2h²) / (2π h²)``; the bandwidth ``h`` is the standard deviation
    of the kernel along each axis. It is truncated to a square window of half-width
    ``truncate · h`` (default 5 h: the mass left out is about 1e-6 of the kernel).
``quartic`` (biweight; CrimeStat, ArcGIS "Kernel Density")
    ``K_h(r) = 3 / (π h²) · (1 − r²/h²)²`` for ``r < h``, else 0; the bandwidth ``h`` is the
    *radius* of the kernel (ArcGIS's "search radius"). Its standard deviation along an axis
    is ``h / √8``. KDEpy's ``biweight`` (``norm=2``) is the same function with
    ``h = √7 · bw`` (KDEpy scales every kernel by its *one-dimensional* variance, 1/7 for the
    biweight, also in two dimensions).

Both kernels integrate to 1 over the plane (units m⁻²). The density reported is

    ``density(s) = 10⁶ · Σ_i w_i K_h(s − x_i)``   in events per km²

(``w_i = 1`` without weights), so summing ``density · cell area in km²`` over a grid that
holds the whole kernel mass gives back the number of events (or the sum of the weights).
The binned value differs from this exact sum by ``O(δ²/h²)`` for a cell size ``δ``
(Hall & Wand 1996), so keep the bandwidth a few cells wide.

References
----------
- Silverman, B. W. (1982). Kernel density estimation using the fast Fourier transform.
  *Applied Statistics* 31(1), 93–99.
- Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*.
  Chapman & Hall. (Rule of thumb, eq. 3.31 and §4.3.2.)
- Scott, D. W. (1992). *Multivariate Density Estimation*. Wiley. (Eq. 6.42.)
- Wand, M. P. (1994). Fast computation of multivariate kernel estimators. *Journal of
  Computational and Graphical Statistics* 3(4), 433–445.
- Wand, M. P. & Jones, M. C. (1995). *Kernel Smoothing*. Chapman & Hall. (§4.3, §4.5
  canonical kernels; appendix D binning.)
- Hall, P. & Wand, M. P. (1996). On the accuracy of binned kernel density estimators.
  *Journal of Multivariate Analysis* 56, 165–184.
- Levine, N. (2015). *CrimeStat IV*, ch. 10 (quartic kernel); Esri, "How Kernel Density
  works" (ArcGIS Pro documentation).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from pyproj import CRS, Transformer
from scipy import fft as sfft

from drugscene.analysis.area import StudyArea
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import Points

Kernel = Literal["gaussian", "quartic"]
KERNELS: tuple[str, ...] = ("gaussian", "quartic")
RULES: tuple[str, ...] = ("scott", "silverman")

#: Radius of the quartic kernel with the same asymptotic MISE-optimal scaling as a Gaussian
#: of standard deviation 1, in two dimensions: ``(R(K_q) μ₂(K_g)² / (R(K_g) μ₂(K_q)²))^(1/6)
#: = (2304 / 5)^(1/6) ≈ 2.779`` with ``R(K_q) = 9/(5π)``, ``μ₂(K_q) = 1/8``,
#: ``R(K_g) = 1/(4π)``, ``μ₂(K_g) = 1`` (Wand & Jones 1995, §4.5, canonical kernels).
QUARTIC_RADIUS_PER_GAUSSIAN_SD = (2304.0 / 5.0) ** (1.0 / 6.0)
#: KDEpy's ``bw`` for its ``biweight`` kernel is the quartic radius divided by this.
KDEPY_BIWEIGHT_FACTOR = math.sqrt(7.0)
DEFAULT_TRUNCATE = 5.0
MAX_GRID_NODES = 25_000_000
M2_PER_KM2 = 1e6


# --------------------------------------------------------------------------- bandwidth


def _weighted_quantile(v: np.ndarray, q: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    if w is None:
        return np.percentile(v, q * 100.0)
    return np.percentile(v, q * 100.0, weights=w, method="inverted_cdf")


def bandwidth_rule(x: np.ndarray, y: np.ndarray, rule: str = "scott",
                   weights: np.ndarray | None = None) -> float:
    """Rule-of-thumb *Gaussian* bandwidth (standard deviation, metres) for 2-D points.

    ``scott``
        ``h = n^(-1/6) · σ``, with ``σ² = (s_x² + s_y²) / 2`` the mean of the two marginal
        sample variances (Scott 1992, eq. 6.42 with d = 2; Silverman 1986, §4.3.2, who
        proposes the single scale ``σ² = d⁻¹ Σ s_jj``). In two dimensions Silverman's
        normal-reference constant ``(4/(d+2))^(1/(d+4))`` equals 1, so his rule and Scott's
        coincide.
    ``silverman``
        The same with each ``s_j`` replaced by the robust spread
        ``min(s_j, IQR_j / 1.349)`` (Silverman 1986, eq. 3.31), which keeps a few far-away
        points or several separated clusters — typical of drug scenes — from inflating the
        bandwidth.

    With weights, ``n`` is Kish's effective sample size ``(Σw)² / Σw²`` and the variances are
    weighted (``numpy.cov`` with ``aweights``, as ``scipy.stats.gaussian_kde`` does); the
    weighted IQR uses inverted-CDF quantiles.

    Parameters
    ----------
    x, y : numpy.ndarray
        Projected coordinates in metres.
    rule : {"scott", "silverman"}
    weights : numpy.ndarray, optional
        Non-negative weight per point.

    Returns
    -------
    float
        The Gaussian standard deviation in metres. For the quartic kernel multiply by
        :data:`QUARTIC_RADIUS_PER_GAUSSIAN_SD` (done by :func:`resolve_bandwidth`).
    """
    if rule not in RULES:
        raise AnalysisError(f"Unknown bandwidth rule {rule!r}: use a number of metres, "
                            f"'scott' or 'silverman'.")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if w is None:
        n_eff = float(x.size)
    else:
        n_eff = float(w.sum() ** 2 / np.sum(w * w)) if w.sum() > 0 else 0.0
    if x.size < 2 or n_eff < 2:
        raise AnalysisError("A bandwidth rule needs at least 2 points; give --bandwidth in "
                            "metres instead.")
    cov = np.cov(np.vstack([x, y]), aweights=w)
    s = np.sqrt(np.maximum(np.diag(cov), 0.0))
    if rule == "silverman":
        q = np.array([0.25, 0.75])
        iqr = np.array([np.subtract(*_weighted_quantile(v, q, w)[::-1]) for v in (x, y)])
        robust = iqr / 1.349
        s = np.where(robust > 0, np.minimum(s, robust), s)
    sigma = float(np.sqrt(np.mean(s * s)))
    if not sigma > 0:
        raise AnalysisError("All points are at the same place, so no bandwidth can be "
                            "derived from their spread; give --bandwidth in metres.")
    return sigma * n_eff ** (-1.0 / 6.0)


def resolve_bandwidth(bandwidth: float | str, kernel: str, x: np.ndarray, y: np.ndarray,
                      weights: np.ndarray | None = None) -> float:
    """The kernel's bandwidth in metres: given, or from a rule (see :func:`bandwidth_rule`).

    For the quartic kernel a rule's Gaussian standard deviation is converted to the radius
    with the same AMISE-optimal scaling (:data:`QUARTIC_RADIUS_PER_GAUSSIAN_SD`).
    """
    _check_kernel(kernel)
    if isinstance(bandwidth, str):
        text = bandwidth.strip().lower()
        if text in RULES:
            h = bandwidth_rule(x, y, text, weights)
            return h * QUARTIC_RADIUS_PER_GAUSSIAN_SD if kernel == "quartic" else h
        try:
            bandwidth = float(text)
        except ValueError:
            raise AnalysisError(f"Bandwidth {bandwidth!r} is neither a number of metres nor "
                                "'scott' or 'silverman'.") from None
    h = float(bandwidth)
    if not (math.isfinite(h) and h > 0):
        raise AnalysisError(f"The bandwidth must be a positive number of metres, got {h}.")
    return h


def _check_kernel(kernel: str) -> None:
    if kernel not in KERNELS:
        raise AnalysisError(f"Unknown kernel {kernel!r}: use 'gaussian' or 'quartic'.")


def kernel_sd(kernel: str, bandwidth: float) -> float:
    """Standard deviation along one axis of the kernel with this bandwidth (metres)."""
    _check_kernel(kernel)
    return bandwidth if kernel == "gaussian" else bandwidth / math.sqrt(8.0)


# --------------------------------------------------------------------------- core


def kernel_window(kernel: str, bandwidth: float, cell_size: float,
                  truncate: float | None = None) -> np.ndarray:
    """The kernel (m⁻²) on the grid offsets ``-L..L`` cells in x and y, shape (2L+1, 2L+1).

    ``L = floor(support / cell_size)`` with ``support = truncate · h`` for the Gaussian and
    ``h`` (the radius) for the quartic — the same window KDEpy's FFTKDE uses when its
    practical support equals ``truncate · h``.
    """
    _check_kernel(kernel)
    if kernel == "gaussian":
        support = (DEFAULT_TRUNCATE if truncate is None else float(truncate)) * bandwidth
    else:
        support = bandwidth
    n_half = int(math.floor(support / cell_size * (1 + 1e-12)))
    off = np.arange(-n_half, n_half + 1, dtype=np.float64) * cell_size
    r2 = off[:, None] ** 2 + off[None, :] ** 2
    if kernel == "gaussian":
        return np.exp(-r2 / (2.0 * bandwidth * bandwidth)) / (2.0 * math.pi * bandwidth ** 2)
    u2 = r2 / (bandwidth * bandwidth)
    return np.where(u2 < 1.0, (1.0 - u2) ** 2, 0.0) * (3.0 / (math.pi * bandwidth ** 2))


def linear_binning(x: np.ndarray, y: np.ndarray, x_first: float, y_first: float,
                   cell_size: float, nx: int, ny: int,
                   weights: np.ndarray | None = None) -> np.ndarray:
    """Linear (bilinear) binning of points onto grid nodes, shape (ny, nx).

    Node ``(j, i)`` sits at ``(x_first + i·δ, y_first + j·δ)``. Each point gives its weight
    to the four surrounding nodes in proportion to the area of the opposite sub-rectangle
    (Jones & Lotwick 1983; Wand 1994). Points must lie within the node hull.
    """
    u = (np.asarray(x, dtype=np.float64) - x_first) / cell_size
    v = (np.asarray(y, dtype=np.float64) - y_first) / cell_size
    iu = np.minimum(np.floor(u).astype(np.intp), nx - 2)
    iv = np.minimum(np.floor(v).astype(np.intp), ny - 2)
    fu = u - iu
    fv = v - iv
    k = iv * nx + iu
    size = nx * ny
    if weights is None:
        gu, gv = 1.0 - fu, 1.0 - fv
    else:
        w = np.asarray(weights, dtype=np.float64)
        gu, gv = (1.0 - fu) * w, 1.0 - fv
        fu = fu * w
    out = np.bincount(k, gu * gv, minlength=size)
    out[1:] += np.bincount(k, fu * gv, minlength=size)[:-1]
    out[nx:] += np.bincount(k, gu * fv, minlength=size)[:-nx]
    out[nx + 1:] += np.bincount(k, fu * fv, minlength=size)[:-nx - 1]
    return out.reshape(ny, nx)


def fft_convolve_same(a: np.ndarray, k: np.ndarray, workers: int | None = -1) -> np.ndarray:
    """Linear (not circular) 2-D convolution, cropped to ``a``'s shape, by real FFTs.

    Both arrays are zero-padded to at least ``a.shape + k.shape - 1`` (rounded up to a fast
    FFT length), so the result equals the direct sum up to rounding. ``k`` must have odd
    sides (it is centred).
    """
    ky, kx = k.shape
    shape = (sfft.next_fast_len(a.shape[0] + ky - 1, real=True),
             sfft.next_fast_len(a.shape[1] + kx - 1, real=True))
    fa = sfft.rfft2(a, s=shape, workers=workers)
    fa *= sfft.rfft2(k, s=shape, workers=workers)
    full = sfft.irfft2(fa, s=shape, workers=workers)
    oy, ox = (ky - 1) // 2, (kx - 1) // 2
    return full[oy:oy + a.shape[0], ox:ox + a.shape[1]]


def density_on_nodes(x: np.ndarray, y: np.ndarray, *, x_first: float, y_first: float,
                     cell_size: float, nx: int, ny: int, bandwidth: float,
                     kernel: str = "gaussian", weights: np.ndarray | None = None,
                     truncate: float | None = None) -> np.ndarray:
    """Binned KDE on the nodes ``(x_first + i δ, y_first + j δ)``, shape (ny, nx), in m⁻².

    ``Σ_i w_i K_h(node − x_i)`` (binned). Every point must lie within the node hull
    ``[x_first, x_first + (nx−1)δ] × [y_first, y_first + (ny−1)δ]``; callers that want all
    points inside a rectangle add one ring of nodes (see :func:`kde_xy`). No per-point
    normalisation: divide by ``Σ w`` for a probability density.
    """
    if nx < 2 or ny < 2:
        raise AnalysisError("The grid needs at least 2 × 2 nodes.")
    if x.size and (x.min() < x_first or y.min() < y_first
                   or x.max() > x_first + (nx - 1) * cell_size
                   or y.max() > y_first + (ny - 1) * cell_size):
        raise AnalysisError("Points lie outside the grid nodes; enlarge the grid.")
    binned = linear_binning(x, y, x_first, y_first, cell_size, nx, ny, weights)
    window = kernel_window(kernel, bandwidth, cell_size, truncate)
    half = (window.shape[0] - 1) // 2
    limit_y, limit_x = ny - 1, nx - 1  # offsets beyond the grid never reach a node
    if half > max(limit_x, limit_y):
        cut = max(limit_x, limit_y)
        window = window[half - cut:half + cut + 1, half - cut:half + cut + 1]
    out = fft_convolve_same(binned, window)
    np.maximum(out, 0.0, out=out)  # FFT round-off far from every point
    return out


def kde_xy(x: np.ndarray, y: np.ndarray, *, x0: float, y0: float, cell_size: float,
           nx: int, ny: int, bandwidth: float, kernel: str = "gaussian",
           weights: np.ndarray | None = None, truncate: float | None = None) -> np.ndarray:
    """Density in events per km² at the centres of the cells of a grid, shape (ny, nx).

    The grid has lower-left corner ``(x0, y0)`` and ``nx × ny`` square cells of side
    ``cell_size`` metres; cell ``(j, i)`` has its centre at
    ``(x0 + (i + ½) δ, y0 + (j + ½) δ)``. Points outside the rectangle are ignored (the
    caller decides what to do with them). Binning uses one extra ring of nodes so a point
    anywhere in the rectangle keeps its full weight.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    keep = (x >= x0) & (x <= x0 + nx * cell_size) & (y >= y0) & (y <= y0 + ny * cell_size)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if not keep.all():
        x, y = x[keep], y[keep]
        w = None if w is None else w[keep]
    nodes = density_on_nodes(
        x, y, x_first=x0 - 0.5 * cell_size, y_first=y0 - 0.5 * cell_size, cell_size=cell_size,
        nx=nx + 2, ny=ny + 2, bandwidth=bandwidth, kernel=kernel, weights=w,
        truncate=truncate)
    return nodes[1:-1, 1:-1] * M2_PER_KM2


# --------------------------------------------------------------------------- grid + output


@dataclass(eq=False)
class KdeGrid:
    """A density surface on square cells of a metric CRS.

    ``density[j, i]`` (events per km², or weight per km² with weights) is the value at the
    centre of the cell with lower-left corner ``(x0 + i δ, y0 + j δ)``; row 0 is the
    southernmost. ``inside[j, i]`` is true when that centre lies in the study area.
    """

    x0: float
    y0: float
    cell_size: float
    nx: int
    ny: int
    density: np.ndarray
    crs: str
    inside: np.ndarray
    bandwidth: float = 0.0
    kernel: str = "gaussian"
    meta: dict[str, Any] = field(default_factory=dict)

    units = "events per km²"

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates (metres), each of shape (ny, nx)."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell_size
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell_size
        return np.meshgrid(xs, ys)

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Bilinear interpolation of the density at points (metres); 0 off the grid."""
        u = (np.asarray(x, dtype=np.float64) - self.x0) / self.cell_size - 0.5
        v = (np.asarray(y, dtype=np.float64) - self.y0) / self.cell_size - 0.5
        pad = np.pad(self.density, 1)
        u, v = np.clip(u + 1, 0, self.nx + 1 - 1e-9), np.clip(v + 1, 0, self.ny + 1 - 1e-9)
        iu = np.minimum(np.floor(u).astype(np.intp), self.nx)
        iv = np.minimum(np.floor(v).astype(np.intp), self.ny)
        fu, fv = u - iu, v - iv
        return ((1 - fu) * (1 - fv) * pad[iv, iu] + fu * (1 - fv) * pad[iv, iu + 1]
                + (1 - fu) * fv * pad[iv + 1, iu] + fu * fv * pad[iv + 1, iu + 1])

    def total(self) -> float:
        """``Σ density · cell area`` over the whole grid (events, or weight)."""
        return float(self.density.sum() * self.cell_size ** 2 / M2_PER_KM2)

    def metadata(self) -> dict[str, Any]:
        return {
            "crs": self.crs, "kernel": self.kernel, "bandwidth_m": self.bandwidth,
            "bandwidth_meaning": ("standard deviation" if self.kernel == "gaussian"
                                  else "radius (search radius)"),
            "kernel_sd_m": kernel_sd(self.kernel, self.bandwidth),
            "cell_size_m": self.cell_size, "x0": self.x0, "y0": self.y0,
            "nx": self.nx, "ny": self.ny, "units": self.units,
            "cells_in_area": int(self.inside.sum()), **self.meta,
        }

    def to_csv(self, path: str | Path, *, all_cells: bool = False) -> int:
        """Write ``x,y,lon,lat,density`` for the cells in the study area; return the rows.

        Writes a JSON sidecar ``<path>.json`` with :meth:`metadata` next to it.
        """
        xs, ys = self.centres()
        mask = np.ones_like(self.inside) if all_cells else self.inside
        cx, cy, d = xs[mask], ys[mask], self.density[mask]
        to_wgs = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        lon, lat = to_wgs.transform(cx, cy)
        p = Path(path)
        with p.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["x", "y", "lon", "lat", "density"])
            out.writerows(zip(np.round(cx, 3).tolist(), np.round(cy, 3).tolist(),
                              np.round(lon, 7).tolist(), np.round(lat, 7).tolist(),
                              [f"{v:.9g}" for v in d.tolist()], strict=True))
        Path(f"{p}.json").write_text(json.dumps(self.metadata(), indent=2, sort_keys=True,
                                                ensure_ascii=False), encoding="utf-8")
        return int(cx.size)

    def to_image(self, path: str | Path, *, title: str | None = None,
                 outline: shapely.Geometry | None = None) -> None:
        """A map of the surface (PNG or SVG by the file's extension) with matplotlib.

        Cells outside the study area are left blank; ``outline`` (metric coordinates, e.g.
        the projected study area) is drawn on top.
        """
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 7 * min(max(self.ny / self.nx, 0.4), 2.0) + 0.6))
        ax = fig.add_subplot(1, 1, 1)
        shown = np.ma.masked_where(~self.inside, self.density)
        ext = (self.x0, self.x0 + self.nx * self.cell_size,
               self.y0, self.y0 + self.ny * self.cell_size)
        im = ax.imshow(shown, origin="lower", extent=ext, cmap="magma_r",
                       interpolation="nearest")
        if outline is not None:
            for ring in _rings(outline):
                ax.plot(*ring.xy, color="0.3", linewidth=0.8)
        fig.colorbar(im, ax=ax, shrink=0.8, label=self.units)
        ax.set_title(title or (f"Kernel density ({self.kernel}, bandwidth "
                               f"{self.bandwidth:.0f} m, cells {self.cell_size:g} m)"),
                     fontsize=10)
        ax.set_xlabel(f"x (m, {self.crs})")
        ax.set_ylabel("y (m)")
        ax.ticklabel_format(style="plain", useOffset=False)
        ax.tick_params(labelsize=7)
        fig.savefig(str(path), dpi=120, bbox_inches="tight")

    def to_png(self, path: str | Path, **kw: Any) -> None:
        self.to_image(path, **kw)

    def to_svg(self, path: str | Path, **kw: Any) -> None:
        self.to_image(path, **kw)

    def to_geotiff(self, path: str | Path) -> None:
        """Single-band float32 GeoTIFF (north-up) with the EPSG code of the CRS.

        Written with Pillow (already installed with matplotlib): the TIFF carries the
        GeoTIFF tags ModelPixelScale (33550), ModelTiepoint (33922) and GeoKeyDirectory
        (34735) with ``ProjectedCSTypeGeoKey`` = the EPSG code (OGC GeoTIFF 1.1, 2019).
        Cells outside the study area are written as NaN. Only CRSs with an EPSG code.
        """
        from PIL import Image, TiffImagePlugin, TiffTags

        epsg = CRS.from_user_input(self.crs).to_epsg()
        if epsg is None:
            raise AnalysisError(f"GeoTIFF output needs a CRS with an EPSG code, not {self.crs}.")
        geographic = CRS.from_epsg(epsg).is_geographic
        data = np.where(self.inside, self.density, np.nan)[::-1].astype(np.float32)
        img = Image.fromarray(np.ascontiguousarray(data), mode="F")
        ifd = TiffImagePlugin.ImageFileDirectory_v2()
        ifd[33550] = (float(self.cell_size), float(self.cell_size), 0.0)
        ifd.tagtype[33550] = TiffTags.DOUBLE
        top = self.y0 + self.ny * self.cell_size
        ifd[33922] = (0.0, 0.0, 0.0, float(self.x0), float(top), 0.0)
        ifd.tagtype[33922] = TiffTags.DOUBLE
        keys = [1, 1, 0, 3,
                1024, 0, 1, 2 if geographic else 1,         # GTModelTypeGeoKey
                1025, 0, 1, 1,                                # GTRasterTypeGeoKey: area
                2048 if geographic else 3072, 0, 1, epsg]     # Geographic/ProjectedCRS
        ifd[34735] = tuple(keys)
        ifd.tagtype[34735] = TiffTags.SHORT
        ifd[42113] = "nan"  # GDAL_NODATA
        ifd.tagtype[42113] = TiffTags.ASCII
        img.save(str(path), format="TIFF", tiffinfo=ifd)


def _rings(geom: shapely.Geometry) -> list[Any]:
    polys = getattr(geom, "geoms", [geom])
    rings: list[Any] = []
    for p in polys:
        rings.append(p.exterior)
        rings.extend(p.interiors)
    return rings


def project_area(area: StudyArea, crs: str) -> shapely.Geometry:
    """The study area in the metric CRS (edges densified to ~0.001° before projecting)."""
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    dense = shapely.segmentize(area.geometry, 0.001)

    def _tr(coords: np.ndarray) -> np.ndarray:
        xx, yy = to_metric.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([xx, yy])

    return shapely.transform(dense, _tr)


def project_points(points: Points, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude of the points to metres in ``crs``."""
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_metric.transform(points.lon, points.lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def grid_for(bounds: tuple[float, float, float, float],
             cell_size: float) -> tuple[float, float, int, int]:
    """A grid snapped to multiples of ``cell_size`` that covers ``bounds`` (metres)."""
    if not (math.isfinite(cell_size) and cell_size > 0):
        raise AnalysisError(f"The cell size must be a positive number of metres, "
                            f"got {cell_size}.")
    minx, miny, maxx, maxy = bounds
    x0 = math.floor(minx / cell_size) * cell_size
    y0 = math.floor(miny / cell_size) * cell_size
    nx = max(int(math.ceil((maxx - x0) / cell_size)), 1)
    ny = max(int(math.ceil((maxy - y0) / cell_size)), 1)
    if (nx + 2) * (ny + 2) > MAX_GRID_NODES:
        need = cell_size * math.sqrt((nx + 2) * (ny + 2) / MAX_GRID_NODES)
        raise AnalysisError(
            f"A {cell_size:g} m grid over this study area would have {nx} × {ny} cells, more "
            f"than {MAX_GRID_NODES:,}; use a cell size of at least {math.ceil(need)} m.")
    return x0, y0, nx, ny


def kde(points: Points, area: StudyArea, crs: str, *, cell_size: float,
        bandwidth: float | str = "scott", kernel: str = "quartic",
        weights: np.ndarray | None = None, truncate: float | None = None) -> KdeGrid:
    """Kernel density surface of ``points`` over the study area, in events per km².

    Parameters
    ----------
    points : Points
        WGS84 events; those outside the study area are not used (their number is in
        ``KdeGrid.meta["points_outside_area"]``).
    area : StudyArea
        The grid covers its bounding box in ``crs``; CSV output lists the cells whose centre
        lies inside it.
    crs : str
        A metric (projected) CRS, e.g. ``"EPSG:3006"``.
    cell_size : float
        Side of the square cells, metres.
    bandwidth : float or {"scott", "silverman"}
        Metres (Gaussian: standard deviation; quartic: radius) or a rule
        (:func:`bandwidth_rule`, computed on the points used).
    kernel : {"gaussian", "quartic"}
    weights : numpy.ndarray, optional
        Non-negative weight per event (e.g. a severity score); density is then weight per
        km².
    truncate : float, optional
        Gaussian window half-width in standard deviations (default 5).

    Returns
    -------
    KdeGrid

    Raises
    ------
    AnalysisError
        No points in the area, a bad bandwidth/kernel/cell size, negative or non-finite
        weights, a bandwidth smaller than the cell size, or a geographic CRS.
    """
    _check_kernel(kernel)
    if len(points) == 0:
        raise AnalysisError("No points to estimate a density from.")
    metric = CRS.from_user_input(crs)
    if metric.is_geographic:
        raise AnalysisError(f"{crs} is a geographic CRS (degrees); KDE needs a metric CRS "
                            "such as a UTM zone or EPSG:3006.")
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (len(points),):
            raise AnalysisError(f"Need one weight per point ({len(points)}), got {w.shape}.")
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise AnalysisError("Weights must be finite and non-negative.")
    inside_pts = area.contains(points.lon, points.lat)
    n_out = int((~inside_pts).sum())
    if not inside_pts.any():
        raise AnalysisError(f"None of the {len(points)} points lies in the study area "
                            f"({area.describe()}).")
    x, y = project_points(points.subset(inside_pts) if n_out else points, crs)
    if w is not None and n_out:
        w = w[inside_pts]
    if w is not None and not w.sum() > 0:
        raise AnalysisError("All weights are zero.")
    h = resolve_bandwidth(bandwidth, kernel, x, y, w)
    poly = project_area(area, crs)
    x0, y0, nx, ny = grid_for(poly.bounds, cell_size)
    if h < cell_size:
        raise AnalysisError(
            f"The bandwidth ({h:.1f} m) is smaller than the cell size ({cell_size:g} m), so "
            f"the surface would be spikes on single cells; use --cell-size "
            f"{max(h / 4, 1):.0f} or a larger bandwidth.")
    dens = kde_xy(x, y, x0=x0, y0=y0, cell_size=cell_size, nx=nx, ny=ny, bandwidth=h,
                  kernel=kernel, weights=w, truncate=truncate)
    xs = x0 + (np.arange(nx) + 0.5) * cell_size
    ys = y0 + (np.arange(ny) + 0.5) * cell_size
    gx, gy = np.meshgrid(xs, ys)
    shapely.prepare(poly)
    inside = shapely.contains_xy(poly, gx, gy)
    meta: dict[str, Any] = {
        "study_area": area.describe(), "points_used": int(x.size),
        "points_outside_area": n_out,
        "bandwidth_rule": (bandwidth.strip().lower() if isinstance(bandwidth, str)
                           and bandwidth.strip().lower() in RULES else "given"),
        "weighted": w is not None,
        "truncate_sd": ((DEFAULT_TRUNCATE if truncate is None else truncate)
                        if kernel == "gaussian" else None),
        "kdepy_bw_equivalent": h if kernel == "gaussian" else h / KDEPY_BIWEIGHT_FACTOR,
        "method": "binned KDE (linear binning + zero-padded FFT convolution)",
    }
    return KdeGrid(x0, y0, float(cell_size), nx, ny, dens, metric.to_string(), inside,
                   bandwidth=h, kernel=kernel, meta=meta)
