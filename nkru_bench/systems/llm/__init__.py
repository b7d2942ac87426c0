"""The prompted-LLM system: ``nkru-bench run llm --model NAME [--base-url URL]``.

Any OpenAI-compatible chat-completions endpoint, through the official ``openai`` client (the
``llm`` extra): versioned reference prompts per layer and language (``prompts``), JSON-schema
structured output and the check of every answer (``answers``), quoted strings aligned to offsets
by one documented rule (``align``), a response cache on disk (``cache``), retries and fallbacks
(``client``), and the system the runner calls (``system``). ``inspect_task`` is the same benchmark
as an inspect-ai task (the ``inspect`` extra).
"""
