"""Form pieces shared by several blueprints."""

from functools import cache

import pycountry
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from conference.models import TAG_COLOURS
from conference.templating import country_name


@cache
def _countries() -> tuple[SelectChoice, ...]:
    return tuple(
        sorted(
            (
                SelectChoice(country.alpha_2, country_name(country.alpha_2))
                for country in pycountry.countries
            ),
            key=lambda choice: choice.label,
        )
    )


def country_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose a country"), *_countries()]


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
