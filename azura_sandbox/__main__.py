"""`python -m azura_sandbox`: the scripted offline demo (lands with the parent bot issue)."""

import sys


def main() -> int:
    sys.stdout.write(
        "The scripted Azura demo is not yet available: it needs the parent and child bots.\n"
        "The sandbox fakes already run on their own:\n"
        "  .venv/bin/python -m azura_sandbox.fake_discord --port 8765\n"
        "  .venv/bin/python -m azura_sandbox.fake_lavalink --port 2333\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
