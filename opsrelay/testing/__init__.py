"""Test helpers for opsrelay users: a local fake OpenAI-compatible server."""
