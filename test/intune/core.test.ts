/**
 * The pure core: validation and defaults, and the normalisation that keeps diffs quiet when only
 * Graph's presentation differs (order, defaults, masking) and loud when the state really differs.
 */
import fc from "fast-check";
import {
  BitLockerEncryptionMethod,
  BitLockerRecoveryMode,
  RecoveryPasswordRotation,
  bitLockerOmaSettings,
  fipsOmaSettings,
  normaliseFipsDeviceConfiguration,
  profileDescription,
} from "../../components/intune/settings";
import {
  assignmentKey,
  buildAssignPayload,
  buildProfilePayload,
  normaliseDeclared,
  normaliseStored,
  profileDifferences,
  type DeclaredProfile,
} from "../../components/intune/graph-shapes";

const guid = fc.uuid();

describe("normaliseFipsDeviceConfiguration", () => {
  it("never lets a plan require or rotate recovery passwords in strict mode, whatever the other settings", () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.record({
          requireRecoveryInfoBackupBeforeEncryption: fc.option(fc.boolean(), { nil: undefined }),
          recoveryPasswordRotation: fc.option(fc.constantFrom(...Object.values(RecoveryPasswordRotation)), { nil: undefined }),
          osDriveEncryptionMethod: fc.option(fc.constantFrom(...Object.values(BitLockerEncryptionMethod)), { nil: undefined }),
        }),
        (bitLocker) => {
          const { value: plan } = normaliseFipsDeviceConfiguration({ onRemove: "leaveEnabled", includeGroupIds: ["11111111-1111-1111-1111-111111111111"], bitLocker: { ...bitLocker, recoveryMode: BitLockerRecoveryMode.RecoveryKeysOnly } });
          if (!plan) return; // refused: fine
          accepted++;
          const settings = bitLockerOmaSettings(plan.bitLocker!);
          const recovery = settings.filter((s) => s.omaUri.endsWith("RecoveryOptions")).map((s) => s.value);
          for (const value of recovery) {
            expect(value).toMatch(/RecoveryPasswordUsageDropDown_Name" value="0"/);
            expect(value).toMatch(/RequireActiveDirectoryBackup_Name" value="false"/);
          }
          expect(settings.some((s) => s.omaUri.endsWith("ConfigureRecoveryPasswordRotation"))).toBe(false);
        },
      ),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it("reports every problem at once", () => {
    const { value: plan, problems } = normaliseFipsDeviceConfiguration({
      onRemove: "leaveEnabled",
      includeGroupIds: [],
      foreignAssignments: "ignore",
      graphEndpoint: "http://graph.microsoft.com",
      bitLocker: { recoveryMode: "keysOnly", removableDriveEncryptionMethod: "aes256" },
    });
    expect(plan).toBeUndefined();
    expect(problems.map((p) => p.field)).toEqual(["assignment.includeGroupIds", "foreignAssignments", "graphEndpoint", "bitLocker.recoveryMode", "bitLocker.removableDriveEncryptionMethod"]);
  });

  it("refuses a group that is both included and excluded, and a display name instead of an object id", () => {
    const id = "22222222-2222-2222-2222-222222222222";
    const { problems } = normaliseFipsDeviceConfiguration({ onRemove: "leaveEnabled", includeGroupIds: [id, "All corporate devices"], excludeGroupIds: [id.toUpperCase()] });
    expect(problems.map((p) => `${p.field}: ${p.problem}`)).toEqual([
      "assignment.includeGroupIds[1]: not an Entra group object id (a GUID); Graph rejects the assignment",
      "assignment.excludeGroupIds: the group is both included and excluded (Intune lets the exclusion win, so the include does nothing)",
    ]);
  });

  it("refuses rotation when directory backup before encryption is turned off", () => {
    const { problems } = normaliseFipsDeviceConfiguration({
      onRemove: "leaveEnabled",
      includeGroupIds: ["11111111-1111-1111-1111-111111111111"],
      bitLocker: { requireRecoveryInfoBackupBeforeEncryption: false, recoveryPasswordRotation: "entraJoined" },
    });
    expect(problems).toEqual([expect.objectContaining({ field: "bitLocker.recoveryPasswordRotation", problem: "rotation needs recovery passwords to be backed up to the directory before encryption" })]);
  });
});

describe("normalisation and differences", () => {
  const declaredWith = (include: string[], exclude: string[]): DeclaredProfile => ({
    displayName: "FIPS",
    description: profileDescription("FIPS", "m"),
    omaSettings: [...fipsOmaSettings(), ...bitLockerOmaSettings(normaliseFipsDeviceConfiguration({ onRemove: "leaveEnabled", includeGroupIds: include, bitLocker: {} }).value!.bitLocker!)],
    includeGroupIds: include,
    excludeGroupIds: exclude,
  });

  it("sees no difference when Graph returns the same state in another order, with defaults, masked strings and CRLF", () => {
    fc.assert(
      fc.property(fc.uniqueArray(guid, { minLength: 1, maxLength: 5 }), fc.uniqueArray(guid, { maxLength: 3 }), fc.integer({ min: 0, max: 1000 }), (include, excludeRaw, seed) => {
        const exclude = excludeRaw.filter((g) => !include.includes(g));
        const declared = declaredWith(include, exclude);
        const payload = buildProfilePayload(declared);
        const assignments = buildAssignPayload(declared).assignments.map((a, i) => ({
          id: `a${i}`,
          target: { ...a.target, groupId: (a.target as { groupId: string }).groupId.toUpperCase(), deviceAndAppManagementAssignmentFilterType: "none" },
        }));
        const shuffle = <T>(xs: T[]) => xs.map((x, i) => ({ x, k: (i * 7919 + seed) % 101 })).sort((a, b) => a.k - b.k).map((e) => e.x);
        const stored = {
          ...payload,
          id: "p1",
          version: 3,
          description: (payload.description ?? "").replace(/\n/g, "\r\n"),
          omaSettings: shuffle(payload.omaSettings ?? []).map((s) => {
            const masked = (s as { "@odata.type": string })["@odata.type"].endsWith("omaSettingString");
            return { ...s, description: null, isEncrypted: masked, value: masked ? "****" : (s as { value: unknown }).value };
          }),
        };
        const lastKnown = normaliseDeclared(declared);
        expect(profileDifferences(normaliseDeclared(declared), normaliseStored(stored, shuffle(assignments), lastKnown), "fail")).toEqual([]);
      }),
    );
  });

  it("names what differs: a changed value, a missing and an extra assignment", () => {
    const declared = declaredWith(["11111111-1111-1111-1111-111111111111"], []);
    const payload = buildProfilePayload(declared);
    const stored = { ...payload, omaSettings: (payload.omaSettings ?? []).map((s) => (s.omaUri?.endsWith("AllowFipsAlgorithmPolicy") ? { ...s, value: 0 } : s)) };
    const extra = { target: { "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget" } };
    expect(profileDifferences(normaliseDeclared(declared), normaliseStored(stored, [extra]), "fail")).toEqual([
      "omaSettings: ./Device/Vendor/MSFT/Policy/Config/Cryptography/AllowFipsAlgorithmPolicy changed",
      "assignments: include:11111111-1111-1111-1111-111111111111 missing",
      "assignments: allDevices not declared",
    ]);
    expect(profileDifferences(normaliseDeclared(declared), normaliseStored(stored, [extra]), "keep")).not.toContain("assignments: allDevices not declared");
  });

  it("keys assignment filters, so a filter added in the portal is drift", () => {
    const plain = { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId: "G" };
    expect(assignmentKey(plain)).toBe("include:g");
    expect(assignmentKey({ ...plain, deviceAndAppManagementAssignmentFilterId: "F", deviceAndAppManagementAssignmentFilterType: "include" } as never)).toBe("include:g|filter:include:f");
  });
});
