"""Benchmarks: opsrelay against the straightforward single-document design (``python -m bench``).

* :mod:`bench.naive` is the straightforward design: one call drafts the whole OPERATIONS.md
  from the role prompt and the QA report, one call critiques it, one call rewrites it.
* :mod:`bench.scripted` is the scripted model both designs talk to through the local
  OpenAI-compatible fake server, with per-request timing so that framework overhead can be
  separated from simulated model time.
* :mod:`bench.measure` runs handoffs of either design and measures them.
* :mod:`bench.startup` times CLI start-up and the offline engine.
* :mod:`bench.report` turns measurements into tables, Markdown and a plot.
"""
