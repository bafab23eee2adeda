"""Bahamian islands (and Remote): the locations people and jobs can have."""

from __future__ import annotations

from enum import StrEnum


class Island(StrEnum):
    NEW_PROVIDENCE = "new_providence"
    GRAND_BAHAMA = "grand_bahama"
    ABACO = "abaco"
    ELEUTHERA = "eleuthera"
    HARBOUR_ISLAND = "harbour_island"
    EXUMA = "exuma"
    ANDROS = "andros"
    LONG_ISLAND = "long_island"
    CAT_ISLAND = "cat_island"
    BIMINI = "bimini"
    BERRY_ISLANDS = "berry_islands"
    INAGUA = "inagua"
    MAYAGUANA = "mayaguana"
    ACKLINS = "acklins"
    CROOKED_ISLAND = "crooked_island"
    RAGGED_ISLAND = "ragged_island"
    SAN_SALVADOR = "san_salvador"
    RUM_CAY = "rum_cay"
    REMOTE = "remote"

    @property
    def label(self) -> str:
        return ISLAND_LABELS[self]


ISLAND_LABELS: dict[Island, str] = {
    Island.NEW_PROVIDENCE: "New Providence",
    Island.GRAND_BAHAMA: "Grand Bahama",
    Island.ABACO: "Abaco",
    Island.ELEUTHERA: "Eleuthera",
    Island.HARBOUR_ISLAND: "Harbour Island",
    Island.EXUMA: "Exuma",
    Island.ANDROS: "Andros",
    Island.LONG_ISLAND: "Long Island",
    Island.CAT_ISLAND: "Cat Island",
    Island.BIMINI: "Bimini",
    Island.BERRY_ISLANDS: "Berry Islands",
    Island.INAGUA: "Inagua",
    Island.MAYAGUANA: "Mayaguana",
    Island.ACKLINS: "Acklins",
    Island.CROOKED_ISLAND: "Crooked Island",
    Island.RAGGED_ISLAND: "Ragged Island",
    Island.SAN_SALVADOR: "San Salvador",
    Island.RUM_CAY: "Rum Cay",
    Island.REMOTE: "Remote",
}
