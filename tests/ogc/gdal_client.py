"""Run in a child process by the live-server tests: GDAL's OAPIF driver (through pyogrio)
reads an OGC API and prints JSON: the layers, and the feature ids of the layers asked for.

A child process, because pyogrio holds the GIL while GDAL fetches the next page, which
would stall a live server running in a thread of the same process.

    python gdal_client.py URL [LAYER ...]     (token in the environment: GDAL_HTTP_BEARER)

With ``OGR_WHERE`` in the environment, layers are read with that attribute filter (which
GDAL sends to the server as a CQL2 ``filter`` when the server declares Part 3).
"""

from __future__ import annotations

import json
import os
import sys

import pyogrio
import pyogrio.raw


def main(url: str, layers: list[str]) -> None:
    out: dict = {"layers": [str(name) for name, _ in pyogrio.list_layers(f"OAPIF:{url}")]}
    for layer in layers:
        # a small page so that GDAL follows the server's next links
        meta, fids, geometry, fields = pyogrio.raw.read(f"OAPIF:{url}", layer=layer,
                                                        return_fids=True, PAGE_SIZE="25",
                                                        where=os.environ.get("OGR_WHERE"))
        out[layer] = {"fids": [int(f) for f in fids], "fields": [str(f) for f in
                                                                  meta["fields"]],
                      "n_geometries": int(sum(g is not None for g in geometry))}
        if "id" in meta["fields"]:
            col = fields[list(meta["fields"]).index("id")]
            out[layer]["ids"] = [None if v is None else str(v) for v in col.tolist()]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
