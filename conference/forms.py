"""Form pieces shared by several blueprints."""

from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, ValidationError

from conference.countries import every_country
from conference.models import TAG_COLOURS


class WithinTheCalendar:
    """A date (or date and time) in the years an event can have: a year such as 1 or 9999 is a
    typing slip, and the time-zone sums of calendars and emails cannot go past either end."""

    FIRST_YEAR, LAST_YEAR = 1900, 2200

    def __call__(self, form, field):
        if field.data and not self.FIRST_YEAR <= field.data.year <= self.LAST_YEAR:
            raise ValidationError(
                f"Give a date between the years {self.FIRST_YEAR} and {self.LAST_YEAR}."
            )


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
