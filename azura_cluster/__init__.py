"""One-dyno cluster mode: ``python -m azura_cluster`` runs the parent and AZURA_CHILD_COUNT children in one
container (Heroku's Common Runtime, where dynos cannot reach each other; a VM) as supervised subprocesses
linked over Unix sockets.

- ``config``: what the environment asks for (how many children, where their sockets go), checked up front.
- ``backoff``: the restart policy (pure): exponential delays, reset once a process stays up a while.
- ``supervisor``: the processes themselves: start, prefix their output, restart, forward the stop.
"""
