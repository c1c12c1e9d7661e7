"""Messages every area may use."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "general.something_went_wrong": {
        "en": "Something went wrong on my side; nothing was changed. Try again in a moment.",
        "de": "Bei mir ist etwas schiefgelaufen; nichts wurde geändert. Versuche es gleich noch einmal.",
        "es": "Algo salió mal por mi parte; no se cambió nada. Inténtalo de nuevo en un momento.",
        "fr": "Un problème est survenu de mon côté ; rien n'a été modifié. Réessaie dans un instant.",
        "pt-BR": "Algo deu errado do meu lado; nada foi alterado. Tente de novo em instantes.",
        "ja": "こちら側で問題が発生しました。何も変更されていません。しばらくしてからもう一度お試しください。",
    },
    "general.out_of_range": {
        "en": "{value} is out of range: use {low} to {high}.",
        "de": "{value} liegt außerhalb des Bereichs: erlaubt sind {low} bis {high}.",
        "es": "{value} está fuera de rango: usa de {low} a {high}.",
        "fr": "{value} est hors limites : utilise de {low} à {high}.",
        "pt-BR": "{value} está fora do intervalo: use de {low} a {high}.",
        "ja": "{value} は範囲外です。{low}〜{high} を指定してください。",
    },
    "general.previous": {
        "en": "◀ Previous", "de": "◀ Zurück", "es": "◀ Anterior", "fr": "◀ Précédent", "pt-BR": "◀ Anterior",
        "ja": "◀ 前へ",
    },
    "general.next": {
        "en": "Next ▶", "de": "Weiter ▶", "es": "Siguiente ▶", "fr": "Suivant ▶", "pt-BR": "Próxima ▶", "ja": "次へ ▶",
    },
}
