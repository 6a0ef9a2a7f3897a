"""Message catalogs (data only): zh_CN is the default language, en_US is complete."""
