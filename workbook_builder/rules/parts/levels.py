"""`levels`: a level the evaluator chooses, each a fixed outcome or a range to score within.

``{part: levels, value: 等级, levels: [{name: 健全, score: {share: 1}}, {name: 基本健全, score: {share: 0.6}},
{name: 存在问题, score: {min: 0, max: 8}}]}`` — “健全得满分，基本健全得60%，不健全不得分，存在问题的酌情扣分”.
The level is a composition value of type ``level`` (a choice list of the names).
"""

from __future__ import annotations

import re

from ..text import ParamError, fold
from . import (
    OUTCOME_SCHEMA,
    Chooser,
    is_range,
    outcome_check,
    outcome_text,
    outcome_words,
    outcome_xl,
    parse_outcome,
)


class Levels(Chooser):
    key = "levels"
    label = "等级"
    param_key = "等级"
    SCHEMA = {"type": "object", "required": ["part", "value", "levels"], "additionalProperties": False,
              "properties": {"part": {"const": "levels"}, "value": {"type": "string"},
                             "levels": {"type": "array", "minItems": 1,
                                        "items": {"type": "object", "required": ["name", "score"], "additionalProperties": False,
                                                  "properties": {"name": {"type": "string", "minLength": 1},
                                                                 "score": OUTCOME_SCHEMA}}}}}
    PHRASINGS = ("健全得满分，基本健全得60%，不健全不得分", "存在问题的酌情扣分", "优秀得满分，良好得80%")
    EXAMPLE = "等级=健全:满分，基本健全:60%，不健全:0分，存在问题:0~10分"

    def slots(self, p):
        return [p["value"]]

    def names(self, p) -> list[str]:
        return [x["name"] for x in p["levels"]]

    def ranges(self, p):
        return any(is_range(x["score"]) for x in p["levels"])

    def _pick(self, p, env):
        return next(x["score"] for x in p["levels"] if x["name"] == env[p["value"]])

    def check(self, p, comp, w):
        out = []
        names = self.names(p)
        if len(set(names)) != len(names):
            out.append("等级名称有重复")
        for x in p["levels"]:
            if re.search(r"[,，、;；:：]", x["name"]):
                out.append(f"等级名称“{x['name']}”里不能有逗号、顿号、冒号或分号")
            out += outcome_check(x["score"], w, f"等级“{x['name']}”")
        return out

    def pick(self, p, env):
        return self._pick(p, env)

    def xl(self, p, r, w):
        a = r[p["value"]]
        out = "0"
        for x in reversed(p["levels"]):
            out = f'IF({a}="{x["name"]}",{outcome_xl(x["score"], w, r)},{out})'
        return out

    def describe(self, p, comp, w):
        return "选择评价等级：" + "；".join(f"{x['name']}{outcome_words(x['score'], w)}" for x in p["levels"])

    def text(self, p, comp):
        return "，".join(f"{x['name']}:{outcome_text(x['score'])}" for x in p["levels"])

    def parse(self, text, comp, w):
        levels = []
        for item in filter(None, fold(text).split(",")):
            name, sep, score = item.rpartition(":")
            if not sep or not name:
                raise ParamError(f"等级“{item}”应写成 等级名称:得分（如 健全:满分，基本健全:60%）")
            levels.append({"name": name, "score": parse_outcome(score, w)})
        if not levels:
            raise ParamError("等级要列出各等级（如 健全:满分，基本健全:60%，不健全:0分）")
        return {"part": "levels", "value": "等级", "levels": levels}
