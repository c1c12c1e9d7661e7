"""Messages of /effects, /equalizer and the now-playing effects line and button."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "effects.applied": {
        "en": "🎛️ Effects in {channel}: {effects}.",
        "de": "🎛️ Effekte in {channel}: {effects}.",
        "es": "🎛️ Efectos en {channel}: {effects}.",
        "fr": "🎛️ Effets dans {channel} : {effects}.",
        "pt-BR": "🎛️ Efeitos em {channel}: {effects}.",
        "ja": "🎛️ {channel} のエフェクト: {effects}。",
    },
    "effects.cleared": {
        "en": "🎛️ Every effect is off in {channel}.",
        "de": "🎛️ Alle Effekte in {channel} sind aus.",
        "es": "🎛️ Todos los efectos están desactivados en {channel}.",
        "fr": "🎛️ Tous les effets sont coupés dans {channel}.",
        "pt-BR": "🎛️ Todos os efeitos estão desligados em {channel}.",
        "ja": "🎛️ {channel} のエフェクトをすべてオフにしました。",
    },
    "effects.equalizer_set": {
        "en": "🎚️ Equalizer {preset} in {channel}.",
        "de": "🎚️ Equalizer {preset} in {channel}.",
        "es": "🎚️ Ecualizador {preset} en {channel}.",
        "fr": "🎚️ Égaliseur {preset} dans {channel}.",
        "pt-BR": "🎚️ Equalizador {preset} em {channel}.",
        "ja": "🎚️ {channel} のイコライザー: {preset}。",
    },
    "effects.equalizer_flat": {
        "en": "🎚️ Equalizer flat (off) in {channel}.",
        "de": "🎚️ Equalizer neutral (aus) in {channel}.",
        "es": "🎚️ Ecualizador plano (desactivado) en {channel}.",
        "fr": "🎚️ Égaliseur neutre (coupé) dans {channel}.",
        "pt-BR": "🎚️ Equalizador neutro (desligado) em {channel}.",
        "ja": "🎚️ {channel} のイコライザーをフラット（オフ）にしました。",
    },
    "effects.nothing_chosen": {
        "en": "Choose an effect, a speed or a pitch (or `off` to clear every effect).",
        "de": "Wähle einen Effekt, ein Tempo oder eine Tonhöhe (oder `off`, um alle Effekte zu entfernen).",
        "es": "Elige un efecto, una velocidad o un tono (u `off` para quitar todos los efectos).",
        "fr": "Choisis un effet, une vitesse ou une hauteur (ou `off` pour retirer tous les effets).",
        "pt-BR": "Escolha um efeito, uma velocidade ou um tom (ou `off` para tirar todos os efeitos).",
        "ja": "エフェクト、速度、ピッチのいずれかを選んでください（`off` ですべて解除）。",
    },
    "effects.unknown_preset": {
        "en": "There is no effect called {name}; choose one of: {presets}, or off.",
        "de": "Es gibt keinen Effekt namens {name}; wähle einen von: {presets} oder off.",
        "es": "No hay ningún efecto llamado {name}; elige uno de: {presets}, u off.",
        "fr": "Il n'y a pas d'effet nommé {name} ; choisis parmi : {presets}, ou off.",
        "pt-BR": "Não existe efeito chamado {name}; escolha um de: {presets}, ou off.",
        "ja": "{name} というエフェクトはありません。{presets}、または off から選んでください。",
    },
    "effects.unknown_equalizer": {
        "en": "There is no equalizer preset called {name}; choose one of: {presets}.",
        "de": "Es gibt kein Equalizer-Preset namens {name}; wähle eines von: {presets}.",
        "es": "No hay ningún preajuste de ecualizador llamado {name}; elige uno de: {presets}.",
        "fr": "Il n'y a pas de préréglage d'égaliseur nommé {name} ; choisis parmi : {presets}.",
        "pt-BR": "Não existe predefinição de equalizador chamada {name}; escolha uma de: {presets}.",
        "ja": "{name} というイコライザーのプリセットはありません。{presets} から選んでください。",
    },
    "effects.rate_out_of_range": {
        "en": "The {what} must be between {low} and {high} (1 is unchanged); {value} is not.",
        "de": "{what} muss zwischen {low} und {high} liegen (1 ist unverändert); {value} nicht.",
        "es": "{what} debe estar entre {low} y {high} (1 no cambia nada); {value} no lo está.",
        "fr": "{what} doit être entre {low} et {high} (1 ne change rien) ; {value} ne l'est pas.",
        "pt-BR": "{what} deve estar entre {low} e {high} (1 não muda nada); {value} não está.",
        "ja": "{what} は {low}〜{high} で指定してください（1 で変化なし）。{value} は範囲外です。",
    },
    "effects.nowplaying": {
        "en": "🎛️ Effects: {effects}",
        "de": "🎛️ Effekte: {effects}",
        "es": "🎛️ Efectos: {effects}",
        "fr": "🎛️ Effets : {effects}",
        "pt-BR": "🎛️ Efeitos: {effects}",
        "ja": "🎛️ エフェクト: {effects}",
    },
    "effects.clear_button": {
        "en": "🎛️ Effects off",
        "de": "🎛️ Effekte aus",
        "es": "🎛️ Quitar efectos",
        "fr": "🎛️ Couper les effets",
        "pt-BR": "🎛️ Tirar efeitos",
        "ja": "🎛️ エフェクト解除",
    },
    "effects.word_speed": {
        "en": "speed", "de": "Das Tempo", "es": "La velocidad", "fr": "La vitesse", "pt-BR": "A velocidade",
        "ja": "速度",
    },
    "effects.word_pitch": {
        "en": "pitch", "de": "Die Tonhöhe", "es": "El tono", "fr": "La hauteur", "pt-BR": "O tom", "ja": "ピッチ",
    },
}
