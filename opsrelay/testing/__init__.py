"""Test helpers for opsrelay users.

- :mod:`opsrelay.testing.fake_openai`: a local OpenAI-compatible server with scripted replies,
  latency and injected faults.
- :mod:`opsrelay.testing.openai_contract`: OpenAI's documented chat-completions request contract
  as a pure check (the fake server enforces it by default).
- :mod:`opsrelay.testing.devops_model`: a scripted model that answers opsrelay's own requests.
- :mod:`opsrelay.testing.replay`: replay a recorded cassette through ``run_handoff`` (and the
  ``opsrelay_replay`` pytest fixture).
"""
