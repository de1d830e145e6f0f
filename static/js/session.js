// The guided session (followup/session.html): one exercise at a time, a "get ready" count,
// then a countdown for each hold or timed item, with a set/rep/side counter, a beep or a
// vibration where the browser allows, Pause, Skip, and "Too painful - stop".
//
// Everything it needs is in the page: once loaded it runs without a network. "Done" ticks
// the exercise's checkbox in the page's form; finishing sends that form to Today (which shows
// the ticks until the check-in), or, while offline, as soon as the browser is back online.
// Without JavaScript the page stays a list with a tick per exercise.
(() => {
  "use strict";

  // Texts in the page's language: Django's JavaScript catalogue (/jsi18n/, loaded before this
  // script) defines gettext, ngettext and interpolate; without it the English stays.
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
  const interpolate =
    window.interpolate ||
    ((text, values) => text.replace(/%\((\w+)\)s/g, (match, name) => String(values[name])));
  const say = (text, values) => interpolate(text, values, true);

  const form = document.querySelector("form[data-session]");
  if (!form) return;

  const GET_READY_S = 3; // the short count before each set
  const RELAX_S = 3; // between the holds of one set
  const TICK_MS = 200;

  const steps = Array.from(form.querySelectorAll("[data-step]"));
  const end = form.querySelector("[data-end]");
  const announcer = form.querySelector("[data-announce]");
  const soundBox = form.querySelector("[data-sound]");
  const soundButton = soundBox.querySelector("[data-action='sound']");
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  let current = 0;
  let run = null; // the exercise on screen: its plan, where it is, and its countdown
  let audio = null;
  let hasSound = true;
  let pendingSubmit = null; // the button that sent the form while offline
  let isWaitingForNetwork = false;

  // --- telling the patient -------------------------------------------------------------

  function announce(text) {
    // Polite and sparse: at a stage's start, halfway, 3 seconds left, and the end.
    announcer.textContent = "";
    window.setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  function beep(frequency, milliseconds) {
    if (!hasSound) return;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.15;
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + milliseconds / 1000);
    } catch (error) {
      audio = null; // the browser refuses sound here: the number and the words remain
    }
  }

  function signal(kind) {
    const patterns = { go: [200], tick: [60], end: [150, 100, 150] };
    const tones = { go: [880, 200], tick: [660, 80], end: [523, 400] };
    beep(...tones[kind]);
    if (hasSound && navigator.vibrate) navigator.vibrate(patterns[kind]);
  }

  function seconds(count) {
    return say(ngettext("%(count)s second", "%(count)s seconds", count), { count });
  }

  function minutes(count) {
    return say(ngettext("%(count)s minute", "%(count)s minutes", count), { count });
  }

  function repetitions(count) {
    return say(ngettext("%(count)s repetition", "%(count)s repetitions", count), { count });
  }

  // Seconds left as shown: "15", or "4:05" from a minute up.
  function clock(seconds) {
    if (seconds < 60) return String(seconds);
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)}:${rest < 10 ? "0" : ""}${rest}`;
  }

  // --- one exercise ----------------------------------------------------------------------

  function planOf(step) {
    const number = (name) => Number.parseInt(step.dataset[name], 10) || 0;
    const hold = number("hold");
    const minutes = number("minutes");
    return {
      name: step.dataset.name,
      hold,
      seconds: minutes * 60,
      reps: number("reps") || 1,
      sets: number("sets") || 1,
      sides: step.dataset.perSide === "true" ? 2 : 1,
      kind: hold ? "hold" : minutes ? "timed" : "reps",
    };
  }

  function parts(step) {
    const find = (name) => step.querySelector(`[data-${name}]`);
    return {
      timer: find("timer"),
      stage: find("stage"),
      number: find("number"),
      bar: find("bar"),
      counter: find("counter"),
      actions: find("step-actions"),
      tick: step.querySelector("input[name='done']"),
      start: step.querySelector("[data-action='start']"),
      pause: step.querySelector("[data-action='pause']"),
      roundDone: step.querySelector("[data-action='round-done']"),
    };
  }

  function counterText() {
    const { plan, side, set, rep } = run;
    const words = [];
    if (plan.sides > 1) words.push(say(gettext("Side %(side)s of 2"), { side: side + 1 }));
    if (plan.sets > 1) {
      words.push(say(gettext("Set %(set)s of %(sets)s"), { set: set + 1, sets: plan.sets }));
    }
    if (plan.kind === "hold" && plan.reps > 1) {
      words.push(say(gettext("Hold %(hold)s of %(holds)s"), { hold: rep + 1, holds: plan.reps }));
    }
    if (plan.kind === "reps") words.push(repetitions(plan.reps));
    return words.join(" · ");
  }

  function show(state, stage, number) {
    const { ui } = run;
    ui.timer.dataset.state = state;
    ui.stage.textContent = stage;
    ui.number.textContent = number;
    ui.counter.textContent = counterText();
  }

  function stopCountdown() {
    if (run && run.countdown) {
      window.clearInterval(run.countdown.interval);
      run.countdown = null;
    }
  }

  // A countdown of `seconds`, shown as a whole number of seconds left; pausable.
  function countdown(seconds, { onSecond, onEnd }) {
    stopCountdown();
    const countdownState = {
      total: seconds * 1000,
      left: seconds * 1000,
      endsAt: Date.now() + seconds * 1000,
      shown: seconds,
      interval: null,
    };
    const tick = () => {
      if (run.isPaused) return;
      countdownState.left = Math.max(0, countdownState.endsAt - Date.now());
      const shown = Math.ceil(countdownState.left / 1000);
      run.ui.bar.value = 1 - countdownState.left / countdownState.total;
      if (shown !== countdownState.shown) {
        countdownState.shown = shown;
        run.ui.number.textContent = clock(shown);
        if (shown > 0) onSecond(shown, seconds);
      }
      if (countdownState.left <= 0) {
        stopCountdown();
        onEnd();
      }
    };
    countdownState.interval = window.setInterval(tick, TICK_MS);
    run.countdown = countdownState;
    run.ui.number.textContent = clock(seconds);
    run.ui.bar.value = 0;
  }

  function workAnnouncements(left, total) {
    if (total >= 10 && left === Math.floor(total / 2)) announce(gettext("Halfway."));
    if (total > 3 && left === 3) announce(gettext("3 seconds left."));
    if (left <= 3) signal("tick");
  }

  function getReady() {
    const { plan } = run;
    const what =
      plan.kind === "hold"
        ? say(gettext("hold for %(time)s"), { time: seconds(plan.hold) })
        : plan.kind === "timed"
          ? say(gettext("keep going for %(time)s"), { time: minutes(plan.seconds / 60) })
          : say(gettext("do %(reps)s"), { reps: repetitions(plan.reps) });
    show("ready", gettext("Get ready"), String(GET_READY_S));
    // The exercise's name, picture, dosage and the number on one phone screen.
    run.ui.timer.closest("[data-step]").scrollIntoView({ block: "start", behavior: scrollBehaviour() });
    announce(
      say(gettext("Get ready: %(what)s, starting in %(count)s seconds."), {
        what,
        count: GET_READY_S,
      }),
    );
    setRunning(true);
    countdown(GET_READY_S, { onSecond: () => signal("tick"), onEnd: work });
  }

  function work() {
    const { plan } = run;
    signal("go");
    if (plan.kind === "hold") {
      show("work", gettext("Hold"), String(plan.hold));
      announce(say(gettext("Hold for %(time)s."), { time: seconds(plan.hold) }));
      countdown(plan.hold, { onSecond: workAnnouncements, onEnd: holdDone });
    } else if (plan.kind === "timed") {
      show("work", gettext("Keep going"), clock(plan.seconds));
      announce(say(gettext("Go: %(time)s."), { time: minutes(plan.seconds / 60) }));
      countdown(plan.seconds, { onSecond: workAnnouncements, onEnd: roundDone });
    } else {
      show("work", say(gettext("Do %(reps)s"), { reps: repetitions(plan.reps) }), String(plan.reps));
      announce(
        say(gettext("Do %(reps)s, then tap Set done."), { reps: repetitions(plan.reps) }),
      );
      setRunning(false);
      run.ui.start.hidden = true;
      run.ui.roundDone.hidden = false;
      run.ui.bar.value = 0;
    }
  }

  function holdDone() {
    run.rep += 1;
    if (run.rep < run.plan.reps) {
      signal("end");
      show("rest", gettext("Relax"), String(RELAX_S));
      announce(
        say(gettext("Relax. Hold %(hold)s of %(holds)s next."), {
          hold: run.rep + 1,
          holds: run.plan.reps,
        }),
      );
      countdown(RELAX_S, { onSecond: () => {}, onEnd: work });
    } else {
      roundDone();
    }
  }

  function roundDone() {
    const { plan, ui } = run;
    stopCountdown();
    signal("end");
    setRunning(false);
    ui.roundDone.hidden = true;
    ui.bar.value = 1;
    run.rep = 0;
    run.round += 1;
    if (run.round >= plan.sets * plan.sides) {
      run.isFinished = true;
      ui.start.hidden = true;
      ui.pause.hidden = true;
      show("finished", gettext("Done"), "✓");
      ui.counter.textContent = say(gettext("%(name)s: all done."), { name: plan.name });
      announce(
        say(gettext("%(name)s: all done. Tap Done for the next exercise."), { name: plan.name }),
      );
      return;
    }
    run.set = run.round % plan.sets;
    run.side = Math.floor(run.round / plan.sets);
    const otherSide = plan.sides > 1 && run.set === 0;
    const next = otherSide
      ? gettext("Now the other side")
      : say(gettext("Rest, then set %(set)s"), { set: run.set + 1 });
    show("rest", next, "");
    ui.start.hidden = false;
    ui.start.textContent = otherSide
      ? gettext("Start the other side")
      : say(gettext("Start set %(set)s"), { set: run.set + 1 });
    announce(say(gettext("%(next)s. Tap Start when you are ready."), { next }));
  }

  function setRunning(isRunning) {
    const { ui } = run;
    ui.start.hidden = isRunning;
    ui.pause.hidden = !isRunning;
    run.isPaused = false;
    ui.timer.classList.remove("is-paused");
    ui.pause.textContent = gettext("Pause");
  }

  function togglePause() {
    if (!run.countdown) return;
    const countdownState = run.countdown;
    run.isPaused = !run.isPaused;
    if (run.isPaused) {
      countdownState.left = Math.max(0, countdownState.endsAt - Date.now());
    } else {
      countdownState.endsAt = Date.now() + countdownState.left;
    }
    run.ui.timer.classList.toggle("is-paused", run.isPaused);
    run.ui.pause.textContent = run.isPaused ? gettext("Resume") : gettext("Pause");
    announce(run.isPaused ? gettext("Paused.") : gettext("Going again."));
  }

  // --- moving through the session ------------------------------------------------------

  function scrollBehaviour() {
    return reducedMotion.matches ? "auto" : "smooth";
  }

  function focusOn(element) {
    element.focus({ preventScroll: true });
    const top = form.getBoundingClientRect().top + window.scrollY - 8;
    window.scrollTo({ top, behavior: scrollBehaviour() });
  }

  function open(index, moveFocus = true) {
    stopCountdown();
    current = index;
    steps.forEach((step, at) => step.classList.toggle("is-current", at === index));
    end.classList.toggle("is-current", index >= steps.length);
    form.classList.toggle("is-ended", index >= steps.length);
    if (index >= steps.length) {
      run = null;
      finish();
      return;
    }
    const step = steps[index];
    const plan = planOf(step);
    const ui = parts(step);
    run = { plan, ui, side: 0, set: 0, rep: 0, round: 0, countdown: null, isPaused: false };
    ui.timer.hidden = false;
    ui.actions.hidden = false;
    ui.roundDone.hidden = true;
    ui.start.textContent = gettext("Start");
    setRunning(false);
    show("idle", gettext("Ready when you are"), plan.kind === "reps" ? String(plan.reps) : "");
    if (plan.kind !== "reps") {
      ui.number.textContent = clock(plan.kind === "hold" ? plan.hold : plan.seconds);
    }
    if (moveFocus) focusOn(step.querySelector(".step-name"));
  }

  function finish() {
    const ticked = steps.filter((step) => step.querySelector("input[name='done']").checked);
    const summary = end.querySelector("[data-summary]");
    end.querySelector("h2").textContent = gettext("Session finished");
    const counts = { done: ticked.length, total: steps.length };
    summary.textContent = say(
      ngettext(
        "You did %(done)s of %(total)s exercise. They are ticked on Today: check in there.",
        "You did %(done)s of %(total)s exercises. They are ticked on Today: check in there.",
        steps.length,
      ),
      counts,
    );
    announce(say(gettext("Session finished. You did %(done)s of %(total)s."), counts));
    focusOn(end.querySelector("h2"));
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "sound") {
      hasSound = !hasSound;
      button.setAttribute("aria-pressed", String(hasSound));
      button.textContent = hasSound
        ? gettext("Sound and vibration: on")
        : gettext("Sound and vibration: off");
    } else if (action === "start") {
      if (run.isFinished) return;
      getReady();
    } else if (action === "pause") {
      togglePause();
    } else if (action === "round-done") {
      roundDone();
    } else if (action === "done") {
      run.ui.tick.checked = true;
      open(current + 1);
    } else if (action === "skip") {
      run.ui.tick.checked = false;
      open(current + 1);
    } else if (action === "stop") {
      stopCountdown();
    }
  });

  // Offline when sending (finish, or stop): keep the page as it is and send once back online.
  form.addEventListener("submit", (event) => {
    if (navigator.onLine) return;
    event.preventDefault();
    pendingSubmit = event.submitter || null;
    isWaitingForNetwork = true;
    const offline = end.querySelector("[data-offline]");
    offline.hidden = false;
    if (pendingSubmit && pendingSubmit.dataset.action === "stop") {
      steps.forEach((step) => step.classList.remove("is-current"));
      end.classList.add("is-current");
    }
  });
  window.addEventListener("online", () => {
    if (!isWaitingForNetwork) return;
    const submitter = pendingSubmit;
    pendingSubmit = null;
    isWaitingForNetwork = false;
    form.requestSubmit(submitter || undefined);
  });

  soundBox.hidden = false;
  form.classList.add("is-guided");
  open(0, false); // on arrival the page reads from its title
})();
