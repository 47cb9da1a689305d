// Medlemmar: register a member with an organisation from the hub's list or the network's directory,
// register an organisation, find a member, change their name, e-mail or language, export their data and
// erase them after a confirmation.
import { useEffect, useRef, useState } from 'preact/hooks';
import { COUNTIES, MUNICIPALITIES } from '../../../hubs/municipalities.ts';
import { ApiError, type Input, type Output } from '../api.ts';
import { useI18n } from '../i18n/index.ts';
import { useSession } from '../session.ts';
import { Field, formValues } from '../ui.tsx';

type Member = Output<'searchMembers'>['members'][number];
type HubOrg = Output<'listOrganisations'>['organisations'][number];
type DirectoryOrg = Output<'organisationDirectory'>['organisations'][number];
type OrgBody = Input<'createOrganisation'>['body'];
type MemberBody = Input<'createMember'>['body'];

const ORG_TYPES = ['state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university', 'business', 'other'] as const;
const MEMBERSHIPS = ['member', 'guest', 'business-partner'] as const;

const municipalityLabel = (m: (typeof MUNICIPALITIES)[number]) => `${m.name} (${m.code})`;
/** The SCB code of what was typed: a label from the list, a name or a code; anything else goes as typed and the API names the field. */
function municipalityCode(typed: string): string {
  const t = typed.trim().toLowerCase();
  const m = MUNICIPALITIES.find((x) => municipalityLabel(x).toLowerCase() === t || x.name.toLowerCase() === t || x.code === t);
  return m?.code ?? typed.trim();
}

export function MembersPage() {
  const { t } = useI18n();
  const { api, hub, say, fail } = useSession();
  const [hubOrgs, setHubOrgs] = useState<HubOrg[] | undefined>();
  const [directory, setDirectory] = useState<DirectoryOrg[]>([]);
  const [memberErrors, setMemberErrors] = useState<Record<string, string>>({});
  const [orgErrors, setOrgErrors] = useState<Record<string, string>>({});
  const [searchErrors, setSearchErrors] = useState<Record<string, string>>({});
  const [found, setFound] = useState<Member[] | undefined>();
  const [lastQuery, setLastQuery] = useState('');
  const [erasing, setErasing] = useState<Member | undefined>();
  const [editing, setEditing] = useState<Member | undefined>();
  const [editErrors, setEditErrors] = useState<Record<string, string>>({});
  /** The chosen organisation's id (ids are network-wide: the directory's and the hub's are the same). */
  const [orgChoice, setOrgChoice] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);

  const loadOrgs = () =>
    api('listOrganisations', { params: { hubId: hub.id } })
      .then(({ json }) => setHubOrgs(json.organisations))
      .catch((e) => {
        setHubOrgs([]);
        fail(e);
      });
  useEffect(() => {
    void loadOrgs();
    api('organisationDirectory', { params: {}, query: {} })
      .then(({ json }) => setDirectory(json.organisations))
      .catch(fail);
  }, [hub.id]);

  useEffect(() => {
    if (erasing) dialog.current?.showModal();
  }, [erasing]);

  const atHub = new Set(hubOrgs?.map((o) => o.id));
  const fromDirectory = directory.filter((o) => !atHub.has(o.id));

  /** A field error of the API, or the whole message when it names no field of the form. */
  const failed = (e: unknown, set: (errors: Record<string, string>) => void) => {
    set(e instanceof ApiError ? e.fields() : {});
    fail(e);
  };

  const registerOrg = async (body: OrgBody) => {
    const { status, json } = await api('createOrganisation', { params: { hubId: hub.id }, body });
    await loadOrgs();
    return { created: status === 201, org: json };
  };

  const onMember = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = formValues(form);
    setMemberErrors({});
    try {
      let organisationId = orgChoice;
      // One from the directory is registered at the hub first (200 with it if it is there already).
      const d = atHub.has(organisationId) ? undefined : directory.find((o) => o.id === organisationId);
      if (d) {
        organisationId = (await registerOrg({ name: d.name, type: d.type, ...(d.orgNumber ? { orgNumber: d.orgNumber } : {}) })).org.id;
        setOrgChoice(organisationId);
      }
      const body: MemberBody = {
        name: v.name ?? '',
        email: v.email ?? '',
        organisationId,
        membership: (v.membership ?? 'member') as MemberBody['membership'],
        ...(v.employerMunicipality ? { employerMunicipality: municipalityCode(v.employerMunicipality) } : {}),
        ...(v.employerLocation ? { employerLocation: v.employerLocation } : {}),
        ...(v.language ? { language: v.language as 'sv' | 'en' } : {}),
      };
      const { json } = await api('createMember', { params: { hubId: hub.id }, body });
      say(t.memberCreated(json.name, json.memberCode));
      form.reset();
      setOrgChoice('');
    } catch (err) {
      failed(err, (errors) => setMemberErrors(errors.organisationId ? { ...errors, organisation: errors.organisationId } : errors));
    }
  };

  const onOrg = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = formValues(form);
    setOrgErrors({});
    try {
      const body: OrgBody = { name: v.name ?? '', type: (v.type ?? 'other') as OrgBody['type'], ...(v.orgNumber ? { orgNumber: v.orgNumber } : {}), ...(v.homeMunicipality ? { homeMunicipality: v.homeMunicipality } : {}) };
      const { created, org } = await registerOrg(body);
      say(created ? t.orgCreated(org.name) : t.orgExists(org.name));
      form.reset();
    } catch (err) {
      failed(err, setOrgErrors);
    }
  };

  /** Fills type and organisation number from the network's directory when the name is one of its. */
  const onOrgName = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const d = directory.find((o) => o.name.toLowerCase() === input.value.trim().toLowerCase());
    if (!d || !input.form) return;
    (input.form.elements.namedItem('type') as HTMLSelectElement).value = d.type;
    if (d.orgNumber) (input.form.elements.namedItem('orgNumber') as HTMLInputElement).value = d.orgNumber;
  };

  const search = async (q: string) => {
    setSearchErrors({});
    try {
      setFound((await api('searchMembers', { params: { hubId: hub.id }, query: { q } })).json.members);
      setLastQuery(q);
    } catch (err) {
      failed(err, setSearchErrors);
    }
  };

  const exportMember = async (m: Member) => {
    try {
      const { json } = await api('exportMember', { params: { hubId: hub.id, memberId: m.id } });
      const url = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `samverkan-${hub.id}-${m.id}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      say(t.exported(m.name));
    } catch (err) {
      fail(err);
    }
  };

  const startEdit = (m: Member) => {
    setEditErrors({});
    setEditing(m);
    requestAnimationFrame(() => document.getElementById('edit-name')?.focus());
  };
  const onEdit = async (e: Event) => {
    e.preventDefault();
    const m = editing;
    if (!m) return;
    const v = formValues(e.currentTarget as HTMLFormElement);
    // Only what changed is sent; an emptied name is sent empty, so that the API names the field.
    const body: Input<'updateMember'>['body'] = {};
    if ((v.name ?? '') !== m.name) body.name = v.name ?? '';
    if ((v.email ?? '') !== (m.email ?? '')) body.email = v.email ?? '';
    if (v.language && v.language !== m.language) body.language = v.language as 'sv' | 'en';
    setEditErrors({});
    try {
      const { json } = await api('updateMember', { params: { hubId: hub.id, memberId: m.id }, body });
      setEditing(undefined);
      say(t.memberUpdated(json.name));
      if (lastQuery) await search(lastQuery);
    } catch (err) {
      failed(err, setEditErrors);
    }
  };

  const closeDialog = () => {
    dialog.current?.close();
    setErasing(undefined);
  };
  const erase = async () => {
    const m = erasing;
    closeDialog();
    if (!m) return;
    try {
      await api('eraseMember', { params: { hubId: hub.id, memberId: m.id } });
      say(t.erased);
      if (lastQuery) await search(lastQuery);
    } catch (err) {
      fail(err);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>{t.pages.members}</h1>
      <section aria-labelledby="new-member-heading">
        <h2 id="new-member-heading">{t.newMember}</h2>
        <form id="member-form" onSubmit={onMember} noValidate>
          <Field id="member-name" label={t.name} error={memberErrors.name}>
            {(aria) => <input {...aria} name="name" required autocomplete="off" />}
          </Field>
          <Field id="member-email" label={t.email} error={memberErrors.email}>
            {(aria) => <input {...aria} name="email" type="email" required autocomplete="off" />}
          </Field>
          <Field id="member-org" label={t.organisation} hint={t.orgMissingHint} error={memberErrors.organisation}>
            {(aria) => (
              <select {...aria} name="organisation" required aria-busy={hubOrgs === undefined} value={orgChoice} onChange={(e) => setOrgChoice(e.currentTarget.value)}>
                <option value="">{t.chooseOrganisation}</option>
                {hubOrgs && hubOrgs.length > 0 ? (
                  <optgroup label={t.hubOrganisations}>
                    {hubOrgs.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                      </option>
                    ))}
                  </optgroup>
                ) : null}
                {fromDirectory.length > 0 ? (
                  <optgroup label={t.directoryOrganisations}>
                    {fromDirectory.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                      </option>
                    ))}
                  </optgroup>
                ) : null}
              </select>
            )}
          </Field>
          <Field id="member-municipality" label={t.employerMunicipality} error={memberErrors.employerMunicipality}>
            {(aria) => <input {...aria} name="employerMunicipality" list="municipalities" autocomplete="off" placeholder="Umeå (2480)" />}
          </Field>
          <datalist id="municipalities">
            {MUNICIPALITIES.map((m) => (
              <option key={m.code} value={municipalityLabel(m)}>
                {COUNTIES[m.county] ?? ''}
              </option>
            ))}
          </datalist>
          <Field id="member-location" label={t.employerLocation} error={memberErrors.employerLocation}>
            {(aria) => <input {...aria} name="employerLocation" autocomplete="off" />}
          </Field>
          <Field id="member-membership" label={t.membership} error={memberErrors.membership}>
            {(aria) => (
              <select {...aria} name="membership">
                {MEMBERSHIPS.map((m) => (
                  <option key={m} value={m}>
                    {t.memberships[m]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="member-language" label={t.language} error={memberErrors.language}>
            {(aria) => (
              <select {...aria} name="language">
                <option value="sv">Svenska</option>
                <option value="en">English</option>
              </select>
            )}
          </Field>
          <button type="submit">{t.register}</button>
        </form>
      </section>

      <section aria-labelledby="find-heading">
        <h2 id="find-heading">{t.findMembers}</h2>
        <form
          id="member-search-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void search(formValues(e.currentTarget).q ?? '');
          }}
        >
          <Field id="member-search-q" label={t.searchLabel} error={searchErrors.q}>
            {(aria) => <input {...aria} name="q" type="search" required minLength={2} autocomplete="off" />}
          </Field>
          <button type="submit">{t.search}</button>
        </form>
        {found && found.length === 0 ? <p class="hint empty">{t.noneFound}</p> : null}
        <ul id="member-results" class="list">
          {found?.map((m) => (
            <li key={m.id}>
              <span>
                {m.name} <span class="hint">{m.email} · {m.memberCode}</span>
              </span>
              <span class="actions">
                <button type="button" class="secondary" data-edit onClick={() => startEdit(m)} aria-label={t.editMember(m.name)}>
                  {t.edit}
                </button>
                <button type="button" class="secondary" data-export onClick={() => exportMember(m)} aria-label={t.exportMember(m.name)}>
                  {t.export}
                </button>
                <button type="button" class="danger" data-erase onClick={() => setErasing(m)} aria-label={t.eraseMember(m.name)}>
                  {t.erase}
                </button>
              </span>
            </li>
          ))}
        </ul>
      </section>

      {editing ? (
        <section aria-labelledby="edit-heading">
          <h2 id="edit-heading">{t.editMember(editing.name)}</h2>
          <form id="member-edit-form" key={editing.id} onSubmit={onEdit} noValidate>
            <Field id="edit-name" label={t.name} error={editErrors.name}>
              {(aria) => <input {...aria} name="name" required autocomplete="off" defaultValue={editing.name} />}
            </Field>
            <Field id="edit-email" label={t.email} error={editErrors.email}>
              {(aria) => <input {...aria} name="email" type="email" required autocomplete="off" defaultValue={editing.email ?? ''} />}
            </Field>
            <Field id="edit-language" label={t.language} error={editErrors.language}>
              {(aria) => (
                <select {...aria} name="language" defaultValue={editing.language}>
                  <option value="sv">Svenska</option>
                  <option value="en">English</option>
                </select>
              )}
            </Field>
            <button type="submit">{t.save}</button>
            <button type="button" class="secondary" onClick={() => setEditing(undefined)}>
              {t.cancel}
            </button>
          </form>
        </section>
      ) : null}

      <section aria-labelledby="new-org-heading">
        <h2 id="new-org-heading">{t.newOrganisation}</h2>
        <form id="org-form" onSubmit={onOrg} noValidate>
          <Field id="org-name" label={t.name} error={orgErrors.name}>
            {(aria) => <input {...aria} name="name" required list="directory" autocomplete="off" onChange={onOrgName} />}
          </Field>
          <datalist id="directory">
            {directory.map((o) => (
              <option key={o.id} value={o.name} />
            ))}
          </datalist>
          <Field id="org-type" label={t.type} error={orgErrors.type}>
            {(aria) => (
              <select {...aria} name="type">
                {ORG_TYPES.map((k) => (
                  <option key={k} value={k}>
                    {t.orgTypes[k]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="org-number" label={t.orgNumber} hint={t.orgNumberHint} error={orgErrors.orgNumber}>
            {(aria) => <input {...aria} name="orgNumber" autocomplete="off" />}
          </Field>
          <Field id="org-home" label={t.homeMunicipality} error={orgErrors.homeMunicipality}>
            {(aria) => <input {...aria} name="homeMunicipality" autocomplete="off" />}
          </Field>
          <button type="submit">{t.register}</button>
        </form>
      </section>

      <dialog ref={dialog} id="erase-dialog" aria-labelledby="erase-title" onClose={() => setErasing(undefined)}>
        {erasing ? (
          <>
            <h2 id="erase-title">{t.eraseTitle(erasing.name)}</h2>
            <ul>
              {t.eraseExplains.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            <p class="actions">
              <button type="button" class="danger" id="erase-confirm" onClick={erase}>
                {t.eraseConfirm}
              </button>
              {/* Focus starts on cancel: Enter twice must not erase anyone. */}
              <button type="button" class="secondary" id="erase-cancel" autofocus onClick={closeDialog}>
                {t.cancel}
              </button>
            </p>
          </>
        ) : null}
      </dialog>
    </>
  );
}
