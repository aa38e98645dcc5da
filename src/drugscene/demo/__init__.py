"""The synthetic demo city Ljusfjärda and its hidden ground truth.

``drugscene.demo.geography`` holds the fixed city (outline, districts, places,
organisations); ``drugscene.demo.model`` plants scenes, seasons, interventions and
reporting behaviour and samples the reports.  Both are pure numpy + shapely: no Django.
The generative model is described in ``docs/demo-city.md``.
"""
