"""改版迁移: bring an existing government site into the portal.

:mod:`.crawl` walks the old site with the inspector's crawler and reads each page with the inspector's extraction,
dates and page kinds; :mod:`.content` cuts out and cleans an article's body; :mod:`.plan` decides which column each
page goes to and which URL it gets; :mod:`.importer` writes pages, images, attachments and redirects (keyed on the
old URL, so a second run updates and an interrupted run continues); :mod:`.report` renders the mapping report.
"""
