"""Code both bots share. Importing it first quiets one warning a clean install would otherwise show."""

import warnings

# discord.py imports the standard library's audioop for voice it plays itself; Azura's audio goes through
# Lavalink, so Python 3.11's "audioop is deprecated" is noise for every operator (and an error under -W error).
warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
