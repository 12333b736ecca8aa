"""A repository on local disk: the one hardened way git runs (``runner``, pure), and the clone
or allowed local path a scan reads (``checkout``, which takes its limits from the settings)."""
