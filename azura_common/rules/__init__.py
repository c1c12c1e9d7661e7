"""Pure rules shared by the slash commands and the now-playing buttons: who may do what, how a vote passes,
how typed text becomes positions, times and volumes, and the limits they share.

Nothing here imports discord or grpc: every rule is a plain function over plain values, tested on its own.
"""
