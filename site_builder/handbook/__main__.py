"""Preview the handbook while writing it: python -m site_builder.handbook [DATA_DIR] [DEST_DIR]."""
import sys

from ..registry.package import Package
from .build import build_handbook

args = sys.argv[1:]
data_dir, dest = (args + ["data", "build/handbook"][len(args):])[:2]
print(f"{build_handbook(Package.load(data_dir), dest, force=True)} files written to {dest}")
