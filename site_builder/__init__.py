"""Zuofang: turns a bureau's food-business registry into open data and a public site."""
