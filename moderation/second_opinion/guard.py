"""A local guard model behind an OpenAI-compatible ``/v1/chat/completions`` endpoint (as
llama.cpp's server, vLLM or Ollama expose it), read the way Qwen3Guard answers:

    Safety: Unsafe
    Categories: Politically Sensitive Topics

The comment goes as the user turn; Qwen3Guard's own chat template (served with llama.cpp's
``--jinja``) wraps it in its moderation instructions. No weights are shipped or fetched.
"""

from __future__ import annotations

import json
import re

from moderation.second_opinion.base import HttpProvider, need, secret
from moderation.second_opinion.model import BLOCK, PASS, REVIEW, Answer, BadAnswer

SAFETY = re.compile(r"Safety:\s*(Safe|Unsafe|Controversial)")
CATEGORY = re.compile(
    r"(Violent|Non-violent Illegal Acts|Sexual Content or Sexual Acts|PII|Suicide & Self-Harm|"
    r"Unethical Acts|Politically Sensitive Topics|Copyright Violation|Jailbreak|None)"
)
LEVELS = {"Safe": PASS, "Controversial": REVIEW, "Unsafe": BLOCK}
CATEGORIES = {
    "Violent": "violence",
    "Non-violent Illegal Acts": "illegal",
    "Sexual Content or Sexual Acts": "porn",
    "PII": "pii",
    "Suicide & Self-Harm": "self_harm",
    "Unethical Acts": "values",
    "Politically Sensitive Topics": "politics",
    "Copyright Violation": "other",
    "Jailbreak": "other",
}


def request(settings, text: str) -> bytes:
    """The chat completion request: the comment as the user's turn, greedy decoding."""
    body = {
        "model": settings.model or "qwen3guard",
        "messages": [{"role": "user", "content": text}],
        "temperature": 0,
        "max_tokens": 64,
        "stream": False,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def parse_guard_text(content: str) -> Answer:
    """Answer from the model's words: its Safety line and the categories it names."""
    found = SAFETY.search(content)
    if found is None:
        raise BadAnswer(f"守卫模型的答复没有 Safety 行：{content[:120]!r}")
    after = content[found.end() :]
    names = [name for name in CATEGORY.findall(after) if name != "None"]
    return Answer(LEVELS[found.group(1)], [CATEGORIES[n] for n in names], names)


def parse(payload: dict) -> Answer:
    """Answer from an OpenAI-style chat completion."""
    if isinstance(payload.get("error"), dict | str):
        raise BadAnswer(f"守卫模型：{str(payload['error'])[:200]}")
    choices = need(payload, "choices", list, "守卫模型")
    message = choices[0].get("message") if choices and isinstance(choices[0], dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise BadAnswer("守卫模型：choices[0].message.content 缺失")
    return parse_guard_text(content)


class GuardProvider(HttpProvider):
    """POST /v1/chat/completions; an API key only when key_secret_env names one."""

    def ask(self, text: str) -> Answer:
        """One call; the answer or a ProviderError."""
        settings = self.settings
        headers = {"Content-Type": "application/json"}
        if settings.key_secret_env:
            headers["Authorization"] = f"Bearer {secret(settings.key_secret_env)}"
        url = settings.endpoint.rstrip("/")
        if not url.endswith("/chat/completions"):
            url += "/v1/chat/completions"
        reply = self.post(url, request(settings, text), headers)
        payload = self.decode(reply)
        if reply.status >= 400:
            raise BadAnswer(f"守卫模型 HTTP {reply.status}：{reply.excerpt()}")
        answer = parse(payload)
        return self.priced(answer)
