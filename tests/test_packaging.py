"""A built wheel carries every template and static file, and the installed app finds them."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_templates_and_static_files_and_the_app_finds_them(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = (tmp_path / "dist").glob("conference-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "conference/" + str(path.relative_to(ROOT))
        for folder in ["templates", "conference/static", "conference/fonts"]
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
    }
    expected = {name.replace("conference/conference/", "conference/") for name in expected}
    assert expected - shipped == set()

    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    script = (
        "from conference import create_app\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'x', "
        "'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "print(app.jinja_loader.searchpath[0])\n"
        "print(app.jinja_env.get_template('errors/error.html').filename)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    )
    assert str(installed / "conference" / "templates") in result.stdout
