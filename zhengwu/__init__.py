"""zhengwu (政务): a county e-government platform on Django and Wagtail."""

__version__ = "0.1.0"
