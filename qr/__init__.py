"""QR codes, label sheets and 信息公示牌 posters for the registry's products and businesses."""
