"""The report's one HTML page (Jinja2). Kept in Python so it ships with the package as code.

Self-contained: styles inline, figures as data URIs, no script or font from the network. The
script at the end only marks, on the <body>, whether every figure decoded (data-images,
data-images-broken): the browser test and anyone debugging a blank figure read that.
"""

import re

from markupsafe import Markup, escape

_CODE = re.compile(r"`([^`]+)`")


def code(text: str) -> Markup:
    """Escaped text with `backquoted` spans (commands to run, table names) set as <code>."""
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="innolink report">
<title>{{ title }}</title>
<style>
  body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1f2328;
         margin: 0 auto; max-width: 1180px; padding: 1.2rem 2rem 3rem; line-height: 1.45; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; }
  h2 { font-size: 1.25rem; border-bottom: 2px solid #d0d7de; padding-bottom: .2rem;
       margin-top: 2.2rem; }
  .meta { color: #57606a; font-size: .9rem; }
  nav ol { columns: 2; font-size: .95rem; }
  table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
  caption { text-align: left; font-weight: bold; padding: .3rem 0; }
  th, td { border-bottom: 1px solid #d8dee4; padding: .25rem .6rem; text-align: left;
           vertical-align: top; }
  th { background: #f6f8fa; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tr.small td { color: #8c959f; font-style: italic; }
  tr.margin td { font-weight: bold; background: #fafbfc; }
  figure { margin: .8rem 0 1.2rem; }
  figure img { max-width: 100%; border: 1px solid #eaeef2; }
  figcaption { color: #57606a; font-size: .85rem; }
  p.note { color: #57606a; font-size: .9rem; }
  p.warn, div.missing { background: #fff8c5; border-left: 4px solid #d4a72c; padding: .4rem .8rem; }
  div.missing { margin: .6rem 0; }
  code { background: #f6f8fa; padding: 0 .2rem; }
</style>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <p class="meta">Generated {{ generated_at }} from the warehouse <code>{{ warehouse }}</code>
  {%- if commit %}, code at git commit <code>{{ commit }}</code>{% endif %}.</p>
</header>
<nav><ol>
{%- for s in sections %}
  <li><a href="#{{ s.id }}">{{ s.title }}</a>{% if not s.produced %} (not produced){% endif %}</li>
{%- endfor %}
</ol></nav>
{%- for s in sections %}
<section id="{{ s.id }}" data-produced="{{ 'yes' if s.produced else 'no' }}">
  <h2>{{ s.title }}</h2>
  {%- if not s.produced %}
  <div class="missing" id="{{ s.id }}-missing">Not produced: {{ s.missing | code }}</div>
  {%- endif %}
  {%- for b in s.blocks %}
  {%- if b.rows is defined %}
  <table id="{{ b.id }}">
    {%- if b.caption %}<caption>{{ b.caption }}</caption>{% endif %}
    <thead><tr>{% for c in b.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
    <tbody>
    {%- for row in b.rows %}
      <tr{% if b.row_classes[loop.index0] %} class="{{ b.row_classes[loop.index0] }}"{% endif %}>
        {%- for cell in row %}<td{% if loop.index0 in b.numeric %} class="num"{% endif %}>{{ cell }}</td>{% endfor -%}
      </tr>
    {%- endfor %}
    </tbody>
  </table>
  {%- elif b.file is defined %}
  <figure>
    <img id="{{ b.id }}" src="{{ b.data_uri }}" alt="{{ b.alt }}">
    {%- if b.caption %}<figcaption>{{ b.caption }}</figcaption>{% endif %}
  </figure>
  {%- else %}
  <p class="{{ b.kind }}">{{ b.text | code }}</p>
  {%- if b.items %}
  <ul>{% for item in b.items %}<li>{{ item | code }}</li>{% endfor %}</ul>
  {%- endif %}
  {%- endif %}
  {%- endfor %}
</section>
{%- endfor %}
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (img) { return !(img.complete && img.naturalWidth > 0); });
  document.body.setAttribute("data-images", String(images.length));
  document.body.setAttribute("data-images-broken",
    broken.map(function (img) { return img.id || img.alt; }).join(" "));
  document.body.setAttribute("data-rendered", "yes");
});
</script>
</body>
</html>
"""
