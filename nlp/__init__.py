"""Understanding project text for the 五小 bot: systems, benefits, categories, intents, similar projects.

Importing is cheap; ``warm()`` loads the jieba dictionary and the classifier (see
``nlp/runtime.py``; the fitted classifier is kept on disk by ``nlp/store.py``). Every
function also works before warm finishes, just slower.
"""

from nlp.benefit import Benefit, extract_benefit, format_yuan
from nlp.category import CategoryGuess, infer_category, named_category
from nlp.classifier import Classification
from nlp.intents import Understanding, understand
from nlp.learning import RetrainReport, retrain
from nlp.runtime import classify, configure, warm
from nlp.similar import THRESHOLD as SIMILAR_THRESHOLD
from nlp.similar import SimilarIndex
from nlp.project_index import ProjectIndex
from nlp.text import normalize
from nlp.members import change_of_members, members_in, read_members
from nlp.title import extract_title, named_title

__all__ = [
    "SIMILAR_THRESHOLD",
    "Benefit",
    "CategoryGuess",
    "Classification",
    "RetrainReport",
    "SimilarIndex",
    "ProjectIndex",
    "Understanding",
    "change_of_members",
    "classify",
    "configure",
    "extract_benefit",
    "extract_title",
    "format_yuan",
    "infer_category",
    "members_in",
    "named_category",
    "named_title",
    "normalize",
    "read_members",
    "retrain",
    "understand",
    "warm",
]
