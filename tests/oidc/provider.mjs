// A real OpenID Connect provider for the tests: the certified `oidc-provider` package
// (npm), started by tests/oidc/conftest.py on loopback. It knows one client (do-connect,
// given by the test in OIDC_CLIENT as JSON) and the static accounts below, asks for the
// password on its own sign-in page, and ends its session on RP-initiated logout.
// Authorization code flow only, PKCE required, ID tokens signed RS256 with a key made
// at start. Prints "listening <issuer>" when it accepts requests.
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const rp = JSON.parse(process.env.OIDC_CLIENT);

// The directory: accounts with their password and claims. `groups` is the claim the
// tests map to organisations and roles (DOCONNECT_OIDC_ROLE_MAP).
export const ACCOUNTS = {
  'anna.fall': {
    password: 'idp-passwort-anna-1',
    claims: {
      preferred_username: 'anna.fall', given_name: 'Anna', family_name: 'Fall',
      email: 'anna.fall@jobcenter.example', groups: ['jc-fallberatung', 'alle'],
    },
  },
  'tom.traeger': {
    password: 'idp-passwort-tom-1',
    claims: {
      preferred_username: 'tom.traeger', given_name: 'Tom', family_name: 'Träger',
      email: 'tom@traeger-a.example', groups: ['traeger-a-personal'],
    },
  },
  'uwe.ohne': {
    password: 'idp-passwort-uwe-1',
    claims: {
      preferred_username: 'uwe.ohne', given_name: 'Uwe', family_name: 'Ohne',
      email: 'uwe@stadt.example', groups: ['kantine'],
    },
  },
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

const key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [{
    client_id: rp.client_id,
    client_secret: rp.client_secret,
    redirect_uris: [rp.redirect_uri],
    post_logout_redirect_uris: [rp.post_logout_redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [{ ...key, kid: 'test-key', alg: 'RS256', use: 'sig' }] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'given_name', 'family_name'],
    email: ['email'],
    groups: ['groups'],
  },
  async findAccount(ctx, sub) {
    const account = ACCOUNTS[sub];
    return account && { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
  },
  // do-connect is the city's own application: no consent screen, it gets what it asks.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}<p>Sign out of the identity provider?</p>
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
});

function loginForm(uid, error = '') {
  return page('Sign in to the city directory', `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// The provider's own sign-in pages; everything else is oidc-provider's.
async function interaction(req, res) {
  const [, , uid, action] = new URL(req.url, issuer).pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(loginForm(uid));
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const account = ACCOUNTS[form.get('username')];
    if (!account || account.password !== form.get('password')) {
      res.statusCode = 401;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(loginForm(uid, 'Wrong username or password.'));
      return;
    }
    await provider.interactionFinished(
      req, res, { login: { accountId: form.get('username') } }, { mergeWithLastSubmission: false },
    );
    return;
  }
  res.statusCode = 405;
  res.end();
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  } else {
    callback(req, res);
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
