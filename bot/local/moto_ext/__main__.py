"""`python -m bot.local.moto_ext --port N`: a multi-account moto server with the extensions."""

from bot.local.moto_ext.server import main

if __name__ == "__main__":
    main()
