#!/usr/bin/python3
"""ipcbench: build the image and boot it under QEMU.  ./run.py --help"""
import sys

from ipcbench_py.cli import main

if __name__ == "__main__":
    sys.exit(main())
