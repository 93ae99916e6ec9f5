import { answerMfa, type MfaChallenge, type Session, SignInError, type SignInResult, sessionStore, signIn } from "./auth";
import { type DashboardConfig, loadConfig } from "./config";
import { type DashboardElements, startDashboard } from "./dashboard";
import { renderConnection } from "./panels/connection";

/** An element the page cannot work without; a missing one is a bug in index.html. */
function required<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html has no #${id} ${type.name}`);
  return element;
}

async function main(): Promise<void> {
  const signInSection = required("sign-in", HTMLElement);
  const form = required("sign-in-form", HTMLFormElement);
  const username = required("username", HTMLInputElement);
  const password = required("password", HTMLInputElement);
  const mfaField = required("mfa-field", HTMLElement);
  const mfaCode = required("mfa-code", HTMLInputElement);
  const submit = required("sign-in-submit", HTMLButtonElement);
  const signInError = required("sign-in-error", HTMLElement);
  const dashboard = required("dashboard", HTMLElement);
  const user = required("user", HTMLElement);
  const signOut = required("sign-out", HTMLButtonElement);
  const fatal = required("fatal", HTMLElement);
  const connection = required("connection", HTMLElement);
  const elements: DashboardElements = {
    connection,
    agents: required("panel-agents", HTMLElement),
    queues: required("panel-queues", HTMLElement),
    tasks: required("panel-tasks", HTMLElement),
    alerts: required("panel-alerts", HTMLElement),
    optimizations: required("panel-optimizations", HTMLElement),
    approvals: required("panel-approvals", HTMLElement),
    detections: required("panel-detections", HTMLElement),
    coordination: required("panel-coordination", HTMLElement),
    jobs: required("panel-jobs", HTMLElement),
    metrics: required("panel-metrics", HTMLElement),
    notices: required("notices", HTMLElement),
  };

  let config: DashboardConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    fatal.textContent = error instanceof Error ? error.message : String(error);
    fatal.hidden = false;
    return;
  }

  const sessions = sessionStore(sessionStorage);
  let stopDashboard: (() => void) | undefined;

  const showSignIn = (message?: string) => {
    stopDashboard?.();
    stopDashboard = undefined;
    sessions.clear();
    dashboard.hidden = true;
    signOut.hidden = true;
    user.textContent = "";
    renderConnection(connection, "stopped", "signed out");
    askForCode(undefined);
    signInSection.hidden = false;
    signInError.textContent = message ?? "";
    signInError.hidden = !message;
    password.value = "";
    (username.value ? password : username).focus();
  };

  const showDashboard = (session: Session) => {
    signInSection.hidden = true;
    dashboard.hidden = false;
    signOut.hidden = false;
    user.textContent = session.username;
    stopDashboard = startDashboard(
      config,
      session,
      elements,
      () => showSignIn("Your session has expired; sign in again."),
      (renewed) => sessions.save(renewed),
    );
  };

  // Set between a password Cognito accepted and the authenticator code it still wants.
  let pendingMfa: MfaChallenge | undefined;
  const askForCode = (challenge: MfaChallenge | undefined) => {
    pendingMfa = challenge;
    mfaField.hidden = !challenge;
    mfaCode.required = Boolean(challenge);
    mfaCode.value = "";
    username.disabled = Boolean(challenge);
    password.disabled = Boolean(challenge);
    submit.textContent = challenge ? "Verify" : "Sign in";
    if (challenge) mfaCode.focus();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit.disabled = true;
    signInError.hidden = true;
    const attempt: Promise<SignInResult> = pendingMfa
      ? answerMfa(config, pendingMfa, mfaCode.value.trim()).then((session) => ({ kind: "signed_in", session }))
      : signIn(config, username.value.trim(), password.value);
    attempt
      .then((result) => {
        if (result.kind === "mfa") return askForCode(result);
        sessions.save(result.session);
        password.value = "";
        askForCode(undefined);
        showDashboard(result.session);
      })
      .catch((error: unknown) => {
        signInError.textContent = error instanceof SignInError ? error.message : `Sign-in failed: ${String(error)}`;
        signInError.hidden = false;
        // Cognito's sign-in session lapsed: only the password can start a new one.
        if (pendingMfa && error instanceof SignInError && error.code === "NotAuthorizedException") askForCode(undefined);
        if (pendingMfa) mfaCode.select();
        else password.select();
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  signOut.addEventListener("click", () => showSignIn());

  const session = sessions.load();
  if (session) showDashboard(session);
  else showSignIn();
}

void main();
