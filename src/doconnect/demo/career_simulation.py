"""The career simulation: monthly school-to-work and unemployment careers for a whole
synthetic population at once. Pure NumPy, no Django.

The model is semi-Markov: when a spell starts, its length is drawn from a distribution
that fits the state (three years of apprenticeship, a few months of an orientation
course, unemployment that lasts longer in SGB II than in SGB III); when it ends, the
next state is drawn from a table that depends on the person's segment and on how the
spell ended (an apprenticeship completed or dropped, an offer that leads onward or one
that is a dead end). Simulating all persons month by month keeps the work in a few
thousand vectorised steps however many persons there are, which is what lets
``--scale 20`` build millions of spells in seconds.

Main states never overlap by construction (each main spell ends the month before the
next one starts); marginal jobs, counselling offers and care run on side tracks,
exactly the states people/biography.py allows beside a main state.
"""

from __future__ import annotations

import numpy as np

from doconnect.demo.career_odds import (
    CARE_START,
    COUNSEL_START,
    CUMULATIVE,
    EMPLOYMENT_MEAN,
    INITIAL_CUMULATIVE,
    KIND_MONTHS,
    MARGINAL_START,
    OFFER_CLASS_MIX,
    P_FOLLOW_ON,
    PROVIDER_APPRENTICESHIP,
    UNEMPLOYED_MEAN,
    UNEMPLOYED_SEGMENT,
)
from doconnect.demo.careers import (
    APPRENTICESHIP,
    C_APPRENTICE,
    C_COUNSEL,
    C_ENTRY,
    C_SUBSIDISED,
    C_TRAIN,
    CARE,
    CLASS_STATE,
    EMPLOYMENT,
    FURTHER_TRAINING,
    HIGHER_EDUCATION,
    MARGINAL,
    N_CLASSES,
    N_MONTHS,
    OFFER,
    OPEN,
    OUTCOME_DEAD_END,
    OUTCOME_LEADS_ON,
    OUTCOME_NEUTRAL,
    PARENTAL_LEAVE,
    ROW_APPRENTICESHIP_DROPPED,
    ROW_OFFER_DEAD_END,
    ROW_OFFER_LEADS_ON,
    SCHOOL,
    SELF_EMPLOYED,
    SUBSIDISED,
    UNEMPLOYED,
    VOC_COLLEGE,
    YOUTH_SEGMENTS,
    BoolArray,
    Careers,
    IntArray,
    OfferNetwork,
    Population,
)


class _Simulation:
    def __init__(self, rng: np.random.Generator, pop: Population, offers: OfferNetwork) -> None:
        self.rng = rng
        self.pop = pop
        self.offers = offers
        n = len(pop.segment)
        self.n = n
        self.state = np.full(n, -1, dtype=np.int64)
        self.remaining = np.zeros(n, dtype=np.int64)
        self.offer = np.full(n, -1, dtype=np.int64)
        self.dropped = np.zeros(n, dtype=bool)
        self.spell_start = np.zeros(n, dtype=np.int64)
        self.completed = np.zeros(n, dtype=bool)
        self.side_busy_until = np.full((3, n), -1, dtype=np.int64)
        self.main: list[tuple[IntArray, IntArray, IntArray, int]] = []
        self.side: list[tuple[IntArray, IntArray, IntArray, IntArray, IntArray]] = []

    # -- offers ---------------------------------------------------------------------
    def _draw_from_pools(self, keys: IntArray) -> IntArray:
        offers = self.offers
        length = offers.pool_length[keys]
        position = offers.pool_start[keys] + (self.rng.random(len(keys)) * length).astype(np.int64)
        position = np.minimum(position, len(offers.pool_items) - 1)
        return np.where(length > 0, offers.pool_items[position], -1)

    def _available(self, offer: IntArray, month: int) -> BoolArray:
        safe = np.maximum(offer, 0)
        return (
            (offer >= 0)
            & (self.offers.available_from[safe] <= month)
            & (self.offers.available_until[safe] >= month)
        )

    def pick_offers(self, persons: IntArray, klass: IntArray, month: int) -> IntArray:
        """An offer of the class for each person: mostly one close to home, else one
        anywhere in the city; -1 when none is running this month."""
        pop = self.pop
        ageband = pop.ageband[persons]
        local = OfferNetwork.pool_key(ageband, klass, pop.district[persons])
        citywide = OfferNetwork.pool_key(ageband, klass, np.full(len(persons), 12))
        use_local = (self.offers.pool_length[local] > 0) & (self.rng.random(len(persons)) < 0.75)
        chosen = self._draw_from_pools(np.where(use_local, local, citywide))
        for _retry in range(3):
            missing = ~self._available(chosen, month)
            if not missing.any():
                break
            chosen[missing] = self._draw_from_pools(citywide[missing])
        chosen[~self._available(chosen, month)] = -1
        return chosen

    # -- durations ------------------------------------------------------------------
    def durations(
        self, persons: IntArray, states: IntArray, offers: IntArray, month: int
    ) -> IntArray:
        rng = self.rng
        pop = self.pop
        months = np.ones(len(persons), dtype=np.int64)
        calendar_month = (11 + month) % 12 + 1
        to_july = (7 - calendar_month) % 12 + 1
        self.dropped[persons] = False
        for state in np.unique(states):
            sel = np.flatnonzero(states == state)
            k = len(sel)
            who = persons[sel]
            if state == SCHOOL:
                drawn = rng.integers(10, 25, k)
            elif state == VOC_COLLEGE:
                drawn = to_july + 12 * (rng.random(k) < 0.4)
            elif state == APPRENTICESHIP:
                planned = rng.choice(np.array([24, 36, 36, 36, 42]), k)
                dropped = rng.random(k) < 0.22
                drawn = np.where(
                    dropped, 1 + (rng.random(k) * (planned - 1)).astype(np.int64), planned
                )
                self.dropped[who] = dropped
            elif state == HIGHER_EDUCATION:
                drawn = rng.integers(18, 72, k)
            elif state == FURTHER_TRAINING:
                drawn = rng.integers(6, 25, k)
            elif state == OFFER:
                kind = self.offers.kind[np.maximum(offers[sel], 0)]
                low, high = KIND_MONTHS[kind, 0], KIND_MONTHS[kind, 1]
                drawn = low + (rng.random(k) * (high - low + 1)).astype(np.int64)
            elif state == EMPLOYMENT:
                drawn = rng.geometric(1.0 / EMPLOYMENT_MEAN[pop.segment[who]])
            elif state == SUBSIDISED:
                drawn = np.minimum(12 + rng.geometric(1 / 12, k), 60)
            elif state == MARGINAL:
                drawn = rng.geometric(1 / 7, k)
            elif state == SELF_EMPLOYED:
                drawn = rng.geometric(1 / 24, k)
            elif state == UNEMPLOYED:
                mean = UNEMPLOYED_MEAN[pop.branch[who]] * UNEMPLOYED_SEGMENT[pop.segment[who]]
                drawn = rng.geometric(1.0 / mean)
            elif state == PARENTAL_LEAVE:
                drawn = rng.choice(np.array([12, 12, 14, 24, 36]), k)
            else:  # inactive (often a sick note between two spells), care, unknown
                drawn = rng.geometric(1 / 4, k)
            months[sel] = drawn
        # Nobody stays in an offer after it closed.
        with_offer = offers >= 0
        if with_offer.any():
            until = self.offers.available_until[offers[with_offer]] - month + 1
            months[with_offer] = np.minimum(months[with_offer], np.maximum(until, 1))
        return np.maximum(months, 1)

    # -- spells ---------------------------------------------------------------------
    def _assign(self, persons: IntArray, states: IntArray, offers: IntArray, month: int) -> None:
        """Offers for the states that need one, then durations, then record the spells."""
        rng = self.rng
        pop = self.pop
        segment = pop.segment[persons]
        need = (offers < 0) & np.isin(states, (OFFER, FURTHER_TRAINING, SUBSIDISED))
        need |= (
            (offers < 0)
            & (states == APPRENTICESHIP)
            & (rng.random(len(persons)) < PROVIDER_APPRENTICESHIP[segment])
        )
        if need.any():
            klass = np.select(
                [states[need] == FURTHER_TRAINING, states[need] == SUBSIDISED,
                 states[need] == APPRENTICESHIP],
                [C_TRAIN, C_SUBSIDISED, C_APPRENTICE],
                default=-1,
            )  # fmt: skip
            general = klass < 0
            if general.any():
                mix = np.cumsum(OFFER_CLASS_MIX[segment[need][general]], axis=1)
                u = rng.random(int(general.sum()))
                klass[general] = (mix <= u[:, None]).sum(axis=1)
            offers[need] = self.pick_offers(persons[need], np.minimum(klass, N_CLASSES - 1), month)
            # Without a running offer, an "offer" spell is really more unemployment.
            states[(states == OFFER) & (offers < 0)] = UNEMPLOYED
        months = self.durations(persons, states, offers, month)
        self.state[persons] = states
        self.offer[persons] = offers
        self.remaining[persons] = months
        self.spell_start[persons] = month
        self.main.append((persons.copy(), states.copy(), offers.copy(), month))

    def start(self, persons: IntArray, month: int) -> None:
        pop = self.pop
        segment = pop.segment[persons]
        u = self.rng.random(len(persons))
        states = (INITIAL_CUMULATIVE[segment] <= u[:, None]).sum(axis=1)
        in_school = np.isin(segment, YOUTH_SEGMENTS) & (pop.school_leave[persons] >= month)
        states[in_school] = SCHOOL
        offers = np.full(len(persons), -1, dtype=np.int64)
        self._assign(persons, states, offers, month)
        school_left = pop.school_leave[persons] - month + 1
        self.remaining[persons[in_school]] = school_left[in_school]
        if month == 0:
            # The window cuts into spells already running: only part of them remains.
            cut = ~in_school
            left = np.ceil(self.remaining[persons[cut]] * self.rng.random(int(cut.sum())))
            self.remaining[persons[cut]] = np.maximum(left.astype(np.int64), 1)

    def advance(self, persons: IntArray, month: int) -> None:
        rng = self.rng
        pop = self.pop
        previous = self.state[persons]
        previous_offer = self.offer[persons]
        safe_offer = np.maximum(previous_offer, 0)
        finished_apprenticeship = (previous == APPRENTICESHIP) & ~self.dropped[persons]
        self.completed[persons[finished_apprenticeship]] = True

        row = previous.copy()
        row[(previous == APPRENTICESHIP) & self.dropped[persons]] = ROW_APPRENTICESHIP_DROPPED
        in_offer = previous_offer >= 0
        outcome = np.where(in_offer, self.offers.outcome[safe_offer], OUTCOME_NEUTRAL)
        row[in_offer & (outcome == OUTCOME_LEADS_ON)] = ROW_OFFER_LEADS_ON
        row[in_offer & (outcome == OUTCOME_DEAD_END)] = ROW_OFFER_DEAD_END
        u = rng.random(len(persons))
        states = (CUMULATIVE[pop.segment[persons], row] <= u[:, None]).sum(axis=1)
        states[(states == PARENTAL_LEAVE) & ~pop.may_parent[persons]] = UNEMPLOYED

        offers = np.full(len(persons), -1, dtype=np.int64)
        follow = np.where(in_offer, self.offers.follow_on[safe_offer], -1)
        moves_on = self._available(follow, month) & (rng.random(len(persons)) < P_FOLLOW_ON)
        offers[moves_on] = follow[moves_on]
        states[moves_on] = CLASS_STATE[self.offers.klass[follow[moves_on]]]
        self._assign(persons, states, offers, month)

    def side_spells(self, month: int) -> None:
        rng = self.rng
        pop = self.pop
        state = self.state
        present = state >= 0
        safe_state = np.maximum(state, 0)
        chances = (
            np.where(present, MARGINAL_START[safe_state], 0.0),
            np.where(present, COUNSEL_START[safe_state], 0.0),
            np.where(present, CARE_START[pop.segment], 0.0),
        )
        for track, chance in enumerate(chances):
            free = self.side_busy_until[track] < month
            persons = np.flatnonzero(free & (rng.random(self.n) < chance))
            if not len(persons):
                continue
            offers = np.full(len(persons), -1, dtype=np.int64)
            if track == 0:
                spell_state, months = MARGINAL, rng.geometric(1 / 7, len(persons))
            elif track == 1:
                spell_state, months = OFFER, rng.integers(1, 4, len(persons))
                # Pupils meet orientation offers (career guidance in the last school
                # years); everybody else counselling.
                klass = np.where(
                    (state[persons] == SCHOOL) & (rng.random(len(persons)) < 0.6),
                    C_ENTRY,
                    C_COUNSEL,
                )
                offers = self.pick_offers(persons, klass, month)
                persons, offers, months = (
                    persons[offers >= 0],
                    offers[offers >= 0],
                    months[offers >= 0],
                )
            else:
                spell_state, months = CARE, rng.geometric(1 / 18, len(persons))
            end = month + months - 1
            self.side_busy_until[track, persons] = end
            end = np.where(end >= N_MONTHS - 1, OPEN, end)
            self.side.append(
                (
                    persons,
                    np.full(len(persons), spell_state),
                    offers,
                    np.full(len(persons), month),
                    end,
                )
            )

    def run(self) -> Careers:
        arrival = self.pop.arrival
        for month in range(N_MONTHS):
            arriving = np.flatnonzero(arrival == month)
            if len(arriving):
                self.start(arriving, month)
            due = np.flatnonzero((self.state >= 0) & (self.remaining <= 0))
            due = due[arrival[due] < month]
            if len(due):
                self.advance(due, month)
            if (11 + month) % 12 + 1 == 8:
                # Schools report by school year: a new school spell every August.
                pupils = np.flatnonzero((self.state == SCHOOL) & (self.spell_start < month))
                self.spell_start[pupils] = month
                none = np.full(len(pupils), -1, dtype=np.int64)
                self.main.append((pupils, np.full(len(pupils), SCHOOL), none, month))
            self.side_spells(month)
            self.remaining[self.state >= 0] -= 1
        return self._collect()

    def _collect(self) -> Careers:
        main_person = np.concatenate([m[0] for m in self.main])
        main_state = np.concatenate([m[1] for m in self.main])
        main_offer = np.concatenate([m[2] for m in self.main])
        main_start = np.concatenate([np.full(len(m[0]), m[3]) for m in self.main])
        order = np.lexsort((main_start, main_person))
        main_person, main_state = main_person[order], main_state[order]
        main_offer, main_start = main_offer[order], main_start[order]
        # A main spell ends the month before the person's next one starts.
        same_person_next = np.append(main_person[1:] == main_person[:-1], False)
        next_start = np.append(main_start[1:], N_MONTHS)
        main_end = np.where(same_person_next, next_start - 1, OPEN)

        if self.side:
            side = [np.concatenate([s[i] for s in self.side]) for i in range(5)]
        else:
            side = [np.zeros(0, dtype=np.int64) for _ in range(5)]
        person = np.concatenate([main_person, side[0]])
        state = np.concatenate([main_state, side[1]])
        offer = np.concatenate([main_offer, side[2]])
        start = np.concatenate([main_start, side[3]])
        end = np.concatenate([main_end, side[4]])
        track = np.concatenate([np.zeros(len(main_person)), np.ones(len(side[0]))])
        order = np.lexsort((track, start, person))
        return Careers(
            person=person[order],
            state=state[order],
            offer=offer[order],
            start=start[order],
            end=end[order],
            completed_apprenticeship=self.completed,
        )


def simulate(rng: np.random.Generator, population: Population, offers: OfferNetwork) -> Careers:
    """Five years of monthly spells for every person of the population."""
    return _Simulation(rng, population, offers).run()
