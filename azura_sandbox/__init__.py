import azura_common  # noqa: F401  # first: its warning filter applies before discord.py is imported
