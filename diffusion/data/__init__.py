"""Data shipped with the package: the Etten-Leur facts and the packaged scenarios."""
