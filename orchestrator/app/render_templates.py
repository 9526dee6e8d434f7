# Renders the nodes' own configs (`config:` templates) with Jinja2, the way
# Ansible does (trim_blocks, the trailing newline kept), but strict: a
# variable the facts lack is an error, not an empty string.
# stdin: {"jobs": [{"template": path, "search": [dir, ...], "facts": {...}}]}
# stdout: {"results": [{"text": ...} | {"error": msg, "file": path, "line": n}]}
import json
import os
import sys
import traceback

try:
    import jinja2
except ImportError:
    print(json.dumps({"missing": "python3's jinja2 is not installed (Debian: apt-get install python3-jinja2)"}))
    sys.exit(0)


def where(exc, template):
    """The template file and line an error happened at (Jinja2 puts the
    template's frames into the traceback), innermost first."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or template, exc.lineno
    found = (template, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and not frame.filename.endswith(".py") and os.path.exists(frame.filename):
            found = (frame.filename, frame.lineno)
    return found


def render(job):
    template = job["template"]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(job["search"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    try:
        with open(template, encoding="utf-8") as f:
            source = f.read()
        # Compiled under its path, so that errors and tracebacks name it.
        code = env.compile(source, name=os.path.basename(template), filename=template)
        compiled = env.template_class.from_code(env, code, env.make_globals(None))
        return {"text": compiled.render(**job["facts"])}
    except jinja2.TemplateNotFound as e:
        file, line = where(e, template)
        return {"error": f"the template it includes, \"{e.name}\", is not there", "file": file, "line": line}
    except Exception as e:  # noqa: BLE001 - every error of a template is the user's to see
        file, line = where(e, template)
        message = str(e) if isinstance(e, jinja2.TemplateError) else f"{type(e).__name__}: {e}"
        return {"error": message, "file": file, "line": line}


def main():
    jobs = json.load(sys.stdin)["jobs"]
    print(json.dumps({"results": [render(job) for job in jobs]}))


main()
