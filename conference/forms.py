"""Form pieces shared by several blueprints."""

import pycountry
from wtforms import SelectChoice, SelectField

from conference.templating import country_name


def country_choices() -> list[SelectChoice]:
    countries = sorted(
        (
            SelectChoice(country.alpha_2, country_name(country.alpha_2))
            for country in pycountry.countries
        ),
        key=lambda choice: choice.label,
    )
    return [SelectChoice("", "Choose a country")] + countries


class CountryField(SelectField):
    """An ISO 3166-1 country, by its alpha-2 code; the page's script makes it searchable."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"data-searchable": "country", **kwargs.pop("render_kw", {})}
        super().__init__(
            label, validators, choices=country_choices(), render_kw=render_kw, **kwargs
        )
