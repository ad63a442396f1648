"""``python -m corpus`` is the ``corpus`` command."""

from corpus.cli import run

if __name__ == "__main__":
    run()
