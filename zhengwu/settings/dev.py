from .base import *  # noqa: F403
from .base import env_bool

# The demo and `zhengwu serve` run with DEBUG off, as a county would see them: their own 404 and 500 pages, no
# URLconf listings, no tracebacks. A developer who wants Django's debug pages sets ZHENGWU_DEBUG=1.
DEBUG = env_bool("ZHENGWU_DEBUG", False)
