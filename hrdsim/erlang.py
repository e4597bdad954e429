"""Erlang B and Erlang C: the M/M/c queue in closed form.

These formulas are the yardstick for the HR developer desks of
:mod:`hrdsim.service`: with Poisson requests (``timing = "random"``) and
exponential service (the engine's default), a desk of ``c`` developers is an
M/M/c queue, and its simulated waits must agree with the values below within
sampling error. They also size a desk (:func:`servers_needed`) and show why a
pooled desk waits less than the same developers split into dedicated ones
(Smith & Whitt 1981).

Notation (``docs/model.md`` and the model-science note, §5.1): arrival rate
``λ``, service rate per server ``μ``, ``c`` servers, offered load ``a = λ/μ``
(in Erlangs) and utilisation ``ρ = a/c``. The queue is stable only when
``a < c``.

* Erlang B (loss probability of M/M/c/c), by the recursion
  ``B(0, a) = 1``, ``B(k, a) = a·B(k−1, a) / (k + a·B(k−1, a))``. Every term
  lies in [0, 1], so it neither overflows nor loses precision, unlike the
  textbook sum of ``a^k/k!``.
* Erlang C (probability that an arrival waits), from Erlang B:
  ``C(c, a) = c·B(c, a) / (c − a·(1 − B(c, a)))``, which equals
  ``[a^c/c! · c/(c − a)] / [Σ_{k<c} a^k/k! + a^c/c! · c/(c − a)]``.
* Mean wait in queue ``W_q = C(c, a) / (c·μ − λ)``; mean time in system
  ``W = W_q + 1/μ``; Little's law ``L_q = λ·W_q``.
* Tail of the wait: ``P(W_q > t) = C(c, a)·exp(−(c·μ − λ)·t)`` for ``t ≥ 0``.

All rates share one time unit (e.g. per week), and waits come out in it.
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_b",
    "erlang_c",
    "mean_queue_length",
    "mean_time_in_system",
    "mean_wait",
    "offered_load",
    "servers_needed",
    "utilisation",
    "wait_exceeds_probability",
    "wait_probability",
]


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer ≥ 1, got {servers!r}")


def _check_non_negative(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def offered_load(arrival_rate: float, service_rate: float) -> float:
    """Offered load ``a = λ/μ`` in Erlangs: the servers' worth of work arriving.

    :param arrival_rate: ``λ``, arrivals per unit of time (≥ 0).
    :param service_rate: ``μ``, services one server completes per unit of time (> 0).
    :raises ValueError: on a negative or non-finite rate, or ``μ = 0``.
    """
    _check_non_negative("arrival_rate", arrival_rate)
    _check_positive("service_rate", service_rate)
    return arrival_rate / service_rate


def utilisation(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Utilisation ``ρ = λ/(c·μ)``; the M/M/c queue is stable only if ``ρ < 1``."""
    _check_servers(servers)
    return offered_load(arrival_rate, service_rate) / servers


def erlang_b(servers: int, load: float) -> float:
    """Erlang B: the probability that all ``c`` servers are busy in M/M/c/c.

    Computed by the recursion ``B(0, a) = 1``,
    ``B(k, a) = a·B(k−1, a) / (k + a·B(k−1, a))`` (k = 1 … c), which stays in
    [0, 1] at every step and so is numerically stable for any ``c`` and ``a``.

    :param servers: ``c`` (≥ 1).
    :param load: offered load ``a = λ/μ`` in Erlangs (≥ 0); any value is allowed,
        since a loss system has no stability condition.
    """
    _check_servers(servers)
    _check_non_negative("load", load)
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Erlang C: the probability that an arrival to an M/M/c queue has to wait.

    ``C(c, a) = c·B(c, a) / (c − a·(1 − B(c, a)))`` with ``B`` from
    :func:`erlang_b`; this is the same as
    ``[a^c/c! · c/(c − a)] / [Σ_{k=0}^{c−1} a^k/k! + a^c/c! · c/(c − a)]``.

    :param servers: ``c`` (≥ 1).
    :param load: offered load ``a = λ/μ`` in Erlangs (≥ 0).
    :return: ``C(c, a)`` in [0, 1]; 1.0 when ``a ≥ c`` (the queue is unstable
        and, in the long run, every arrival waits).
    """
    _check_servers(servers)
    _check_non_negative("load", load)
    if load >= servers:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1.0 - b))


def wait_probability(servers: int, arrival_rate: float, service_rate: float) -> float:
    """``P(W_q > 0) = C(c, λ/μ)``: the probability that an arrival waits at all."""
    return erlang_c(servers, offered_load(arrival_rate, service_rate))


def mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean wait in the queue, ``W_q = C(c, a) / (c·μ − λ)``.

    :return: the mean wait in the rates' time unit; ``inf`` when ``λ ≥ c·μ``
        (the queue grows without bound, so no finite mean exists).
    """
    load = offered_load(arrival_rate, service_rate)
    _check_servers(servers)
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def mean_time_in_system(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in the system, ``W = W_q + 1/μ`` (``inf`` when unstable)."""
    return mean_wait(servers, arrival_rate, service_rate) + 1.0 / service_rate


def mean_queue_length(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean number waiting, by Little's law ``L_q = λ·W_q`` (``inf`` when unstable)."""
    wait = mean_wait(servers, arrival_rate, service_rate)
    return math.inf if math.isinf(wait) else arrival_rate * wait


def wait_exceeds_probability(
    servers: int, arrival_rate: float, service_rate: float, t: float
) -> float:
    """``P(W_q > t) = C(c, a)·exp(−(c·μ − λ)·t)`` for a wait threshold ``t ≥ 0``.

    The wait of an M/M/c arrival is 0 with probability ``1 − C`` and otherwise
    exponential with rate ``c·μ − λ``.

    :return: the probability in [0, 1]; 1.0 when the queue is unstable.
    """
    _check_non_negative("t", t)
    load = offered_load(arrival_rate, service_rate)
    _check_servers(servers)
    if load >= servers:
        return 1.0
    return erlang_c(servers, load) * math.exp(-(servers * service_rate - arrival_rate) * t)


def servers_needed(arrival_rate: float, service_rate: float, max_wait_probability: float) -> int:
    """The smallest ``c`` with a stable queue and ``C(c, λ/μ) ≤ max_wait_probability``.

    ``C(c, a)`` falls as ``c`` grows, so the first ``c > a`` that meets the
    target is the answer (e.g. 30 arrivals/hour, 5-minute service and at most
    10% waiting need 6 servers).

    :param max_wait_probability: the largest acceptable share of arrivals that
        wait, in (0, 1].
    """
    if not (0 < max_wait_probability <= 1):
        raise ValueError(f"max_wait_probability must be in (0, 1], got {max_wait_probability!r}")
    load = offered_load(arrival_rate, service_rate)
    servers = math.floor(load) + 1
    b = erlang_b(servers, load)
    # step the Erlang B recursion one server at a time: O(c) in all
    while servers * b / (servers - load * (1.0 - b)) > max_wait_probability:
        servers += 1
        b = load * b / (servers + load * b)
    return servers
