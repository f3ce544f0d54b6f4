"""The web app (`tunesmith serve`): the conversation in a browser over the same sessions and turns as the CLI.

Modules: app (wiring), routes (URLs), queue (one turn at a time), turns (running a turn, failures in
one sentence), uploads (checked files), files (serving a session's own files), conversation (what the
page shows of a session), security (host and request guards), server (uvicorn), static/ (the page).
"""
