"""Expectation suites made from a profile's fields, for profiles without a suite folder.

One suite per entity (its table is the entity's plural): the golden id is
filled and unique, the record has a name (when the entity has a name field),
each required field is filled, each value has the form its kind promises
(phones E.164, emails, websites, domains, ISO dates, regions among the
profile's canonical names when it has any), a contact has an organisation,
and every record lists its source rows. The checks are the ones the shipped
suite files make, so a profile for another country or another kind of record
is validated on the fields it declares and on nothing else.
"""

from __future__ import annotations

#: Form checks by field kind: (name suffix, regex, description).
FORMS = {
    "phone": ("e164", r"^\+[1-9][0-9]{6,14}$", "is in E.164 form (+27115550101)"),
    "email": ("valid", r"^[^@ \t\r\n;,]+@[^@ \t\r\n;,]+\.[A-Za-z]{2,}$",
              "is a plausible address (name@domain.tld)"),
    "website": ("well_formed", r"^https?://[^/. \t\r\n]+(?:\.[^/. \t\r\n]+)+(?:/[^ \t\r\n]*)?$",
                "is a full web address (https://host.tld/path)"),
    "domain": ("well_formed", r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$", "is a lower-case host name (example.org)"),
    "date": ("iso_date", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "is a date in YYYY-MM-DD form"),
}


def _expectation(kind: str, name: str, description: str, **kwargs) -> dict:
    return {"type": f"expect_{kind}", "kwargs": kwargs, "meta": {"name": name, "description": description}}


def suite_for(profile, entity: str) -> tuple[str, list[dict]]:
    """The table (the entity's plural) and the expectations of one entity's generated suite."""
    spec = profile.entity(entity)
    ident = f"{entity}_id"
    label = profile.label(entity)
    found = [
        _expectation("column_values_to_not_be_null", f"{ident}_present", f"{label} ID is filled", column=ident),
        _expectation("column_values_to_be_unique", f"{ident}_unique", f"{label} ID is unique", column=ident),
    ]
    name = spec.name_field()
    if name:
        found.append(_expectation("column_values_to_not_be_null", "name_present",
                                  f"{spec.fields[name].label or name} is filled", column=name))
    if spec.parent == "organisation":
        found.append(_expectation("column_values_to_be_in_set", "contact_has_organisation",
                                  "The organisation is one of the output organisations", column="organisation_id",
                                  value_set={"$PARAMETER": "organisation_ids"}))
    for field, field_spec in spec.fields.items():
        title = field_spec.label or field.replace("_", " ")
        if field_spec.required and field != name:
            found.append(_expectation("column_values_to_not_be_null", f"{field}_present", f"{title} is filled",
                                      column=field))
        if field_spec.kind in FORMS:
            suffix, regex, what = FORMS[field_spec.kind]
            found.append(_expectation("column_values_to_match_regex", f"{field}_{suffix}", f"{title} {what}",
                                      column=field, regex=regex))
        elif field_spec.kind == "region" and profile.region_aliases:
            found.append(_expectation("column_values_to_be_in_set", f"{field}_canonical",
                                      f"{title} is one of the profile's canonical regions", column=field,
                                      value_set={"$PARAMETER": "canonical_regions"}))
    found.append(_expectation("column_values_to_not_be_null", "source_rows_present",
                              "Source rows are listed (where the record came from)", column="source_rows"))
    return profile.plural(entity), found
