import signal
import sys

from site_builder.cli import main

# `python -m site_builder tags suggest | head` should stop quietly, not print a BrokenPipeError.
if hasattr(signal, "SIGPIPE"):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

sys.exit(main())
