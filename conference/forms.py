"""Form pieces shared by several blueprints."""

from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from conference.countries import every_country
from conference.models import TAG_COLOURS


def country_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", "Choose a country"),
        *(SelectChoice(code, name) for code, name in every_country()),
    ]


class CountryField(SelectField):
    """An ISO 3166-1 country, by its alpha-2 code; the page's script makes it searchable."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"data-searchable": "country", **kwargs.pop("render_kw", {})}
        super().__init__(
            label, validators, choices=country_choices(), render_kw=render_kw, **kwargs
        )


class ColourField(RadioField):
    """A colour of the palette, for a tag or a track (`_forms.html`'s `colour_choice` shows it)."""

    def __init__(self, label="Colour", validators=None, **kwargs):
        super().__init__(
            label,
            validators or [InputRequired(message="Choose a colour.")],
            choices=[SelectChoice(colour, colour.title()) for colour in TAG_COLOURS],
            default="blue",
            **kwargs,
        )
