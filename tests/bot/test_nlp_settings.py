"""The classifier's cache directory is a setting: read by bot/config.py, handed to nlp by create_app."""
from __future__ import annotations

from pathlib import Path

from bot import create_app
from bot.config import load_settings
from nlp.runtime import RUNTIME

REQUIRED = {"WECHAT_TOKEN": "t", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s", "SECRET_KEY": "k"}


def test_default_model_dir_is_under_the_instance_folder(tmp_path: Path) -> None:
    """Without NLP_MODEL_DIR the retrained classifier lives in the instance folder, wherever the process runs."""
    settings = load_settings(environ={**REQUIRED, "INSTANCE_PATH": str(tmp_path)}, dotenv_path=tmp_path / "none")
    assert settings.nlp_model_dir == tmp_path / "nlp-model"
    explicit = load_settings(environ={**REQUIRED, "NLP_MODEL_DIR": "/srv/5xiao/nlp"}, dotenv_path=tmp_path / "none")
    assert explicit.nlp_model_dir == Path("/srv/5xiao/nlp")


def test_the_app_tells_nlp_where_its_classifier_is(settings_overrides: dict[str, object], tmp_path: Path) -> None:
    """create_app configures the process's classifier directory from the settings."""
    before = RUNTIME.model_dir
    try:
        create_app({**settings_overrides, "NLP_MODEL_DIR": str(tmp_path / "models")})
        assert RUNTIME.model_dir == tmp_path / "models"
    finally:
        RUNTIME.configure(before)
