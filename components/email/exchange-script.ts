/**
 * The PowerShell script that applies the inbound DMARC settings to Exchange Online with the
 * ExchangeOnlineManagement module, app-only with a certificate. Idempotent: it reads the
 * anti-phishing policy and the spoof pairs first and changes only what differs. Values are plain
 * single-quoted literals (validated before, quoted again here); the connection details come from
 * environment variables, so the script text holds nothing secret and can be reviewed as is.
 */
import { INBOUND_DEFAULTS, SPOOF_ENTRY_LIMIT, SpoofType, type InboundSettings, type SpoofPair } from "./inbound";

/** Environment variables the script reads (set by the Command resource). */
export const EXCHANGE_ENV = {
  appId: "EXO_APP_ID",
  organization: "EXO_ORGANIZATION",
  certificateThumbprint: "EXO_CERTIFICATE_THUMBPRINT",
  certificatePath: "EXO_CERTIFICATE_PATH",
  certificatePassword: "EXO_CERTIFICATE_PASSWORD",
} as const;

/** The name of Exchange Online's default anti-phishing policy. */
export const DEFAULT_ANTI_PHISH_POLICY = "Office365 AntiPhish Default";

/** Options of the Exchange Online PowerShell script the component runs. */
export interface ExchangeScriptOptions {
  /** The anti-phishing policy to configure (default: the default policy). */
  antiPhishPolicy?: string;
  /** Opt-in: remove spoof pairs in the tenant that are not declared here. */
  removeUndeclaredSpoofPairs?: boolean;
}

/**
 * Quote a value as a PowerShell single-quoted string. PowerShell treats the typographic quotes
 * U+2018..U+201B as single quotes too, so every one of them is doubled; nothing inside a
 * single-quoted string is expanded ($, backtick, subexpressions).
 */
export function psQuote(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`control characters cannot be quoted safely: ${JSON.stringify(value)}`);
  return "'" + value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q) + "'";
}

const psBool = (v: boolean) => (v ? "$true" : "$false");

function pairLiteral(pair: SpoofPair, action: "Allow" | "Block"): string {
  return `  @{ SpoofedUser = ${psQuote(pair.spoofedUser)}; SendingInfrastructure = ${psQuote(pair.sendingInfrastructure)}; SpoofType = ${psQuote(pair.spoofType ?? SpoofType.External)}; Action = ${psQuote(action)} }`;
}

/** Build the script (call validateInboundSettings first). */
export function buildExchangeScript(settings: InboundSettings, options: ExchangeScriptOptions = {}): string {
  const s = { ...INBOUND_DEFAULTS, ...settings };
  const policy = options.antiPhishPolicy ?? DEFAULT_ANTI_PHISH_POLICY;
  const pairs = [
    ...(settings.allowedSpoofPairs ?? []).map((p) => pairLiteral(p, "Allow")),
    ...(settings.blockedSpoofPairs ?? []).map((p) => pairLiteral(p, "Block")),
  ];
  const lines = [
    "# tenant-guardrails: inbound DMARC handling for Exchange Online (generated; review, do not edit)",
    "$ErrorActionPreference = 'Stop'",
    "Set-StrictMode -Version 3.0",
    "# (no #Requires: it is refused outside script files, and this runs through pwsh -Command)",
    "Import-Module ExchangeOnlineManagement",
    "",
    "# App-only certificate authentication; the connection details come from the environment.",
    "$connect = @{ AppId = $env:EXO_APP_ID; Organization = $env:EXO_ORGANIZATION; ShowBanner = $false }",
    "if ($env:EXO_CERTIFICATE_PATH) {",
    "  $connect.CertificateFilePath = $env:EXO_CERTIFICATE_PATH",
    "  if ($env:EXO_CERTIFICATE_PASSWORD) { $connect.CertificatePassword = ConvertTo-SecureString -String $env:EXO_CERTIFICATE_PASSWORD -AsPlainText -Force }",
    "} elseif ($env:EXO_CERTIFICATE_THUMBPRINT) {",
    "  $connect.CertificateThumbprint = $env:EXO_CERTIFICATE_THUMBPRINT",
    "} else {",
    "  throw 'Set EXO_CERTIFICATE_PATH or EXO_CERTIFICATE_THUMBPRINT for app-only authentication'",
    "}",
    "if (-not $env:EXO_APP_ID -or -not $env:EXO_ORGANIZATION) { throw 'Set EXO_APP_ID and EXO_ORGANIZATION' }",
    "Connect-ExchangeOnline @connect",
    "try {",
    "  # 1. Anti-phishing policy: read, then set only the settings that differ.",
    `  $policy = Get-AntiPhishPolicy -Identity ${psQuote(policy)}`,
    "  $desired = [ordered]@{",
    `    EnableSpoofIntelligence = ${psBool(s.enableSpoofIntelligence)}`,
    `    HonorDmarcPolicy = ${psBool(s.honorDmarcPolicy)}`,
    `    AuthenticationFailAction = ${psQuote(s.authenticationFailAction)}`,
    `    DmarcQuarantineAction = ${psQuote(s.dmarcQuarantineAction)}`,
    `    DmarcRejectAction = ${psQuote(s.dmarcRejectAction)}`,
    "  }",
    "  $changes = @{}",
    "  foreach ($name in $desired.Keys) {",
    "    if ([string]$policy.$name -ne [string]$desired[$name]) { $changes[$name] = $desired[$name] }",
    "  }",
    "  if ($changes.Count -gt 0) {",
    "    Set-AntiPhishPolicy -Identity $policy.Identity @changes",
    "    Write-Output (\"changed anti-phishing policy: \" + (($changes.Keys | Sort-Object) -join ', '))",
    "  } else {",
    "    Write-Output 'anti-phishing policy already as declared'",
    "  }",
    "",
    "  # 2. Spoofed-sender pairs in the Tenant Allow/Block List: add missing, fix the action of existing.",
    "  $declared = @(",
    pairs.join(",\n"),
    "  )",
    "  $existing = @(Get-TenantAllowBlockListSpoofItems -Identity Default)",
    "  $key = { param($p) ('{0}|{1}|{2}' -f $p.SpoofedUser, $p.SendingInfrastructure, $p.SpoofType).ToLowerInvariant() }",
    "  $byKey = @{}",
    "  foreach ($item in $existing) { $byKey[(& $key $item)] = $item }",
    "  $missing = @($declared | Where-Object { -not $byKey.ContainsKey((& $key $_)) })",
    `  if ($existing.Count + $missing.Count -gt ${SPOOF_ENTRY_LIMIT}) { throw ("spoof entries would exceed ${SPOOF_ENTRY_LIMIT}: " + $existing.Count + " existing + " + $missing.Count + " new") }`,
    "  foreach ($pair in $declared) {",
    "    $current = $byKey[(& $key $pair)]",
    "    if ($null -eq $current) {",
    "      New-TenantAllowBlockListSpoofItems -Identity Default -Action $pair.Action -SpoofedUser $pair.SpoofedUser -SendingInfrastructure $pair.SendingInfrastructure -SpoofType $pair.SpoofType | Out-Null",
    "      Write-Output ('added spoof pair: ' + $pair.Action + ' ' + $pair.SpoofedUser + ' via ' + $pair.SendingInfrastructure)",
    "    } elseif ([string]$current.Action -ne $pair.Action) {",
    "      Set-TenantAllowBlockListSpoofItems -Identity Default -Ids $current.Identity -Action $pair.Action | Out-Null",
    "      Write-Output ('changed spoof pair to ' + $pair.Action + ': ' + $pair.SpoofedUser + ' via ' + $pair.SendingInfrastructure)",
    "    }",
    "  }",
  ];
  if (options.removeUndeclaredSpoofPairs) {
    lines.push(
      "  # Opt-in: remove pairs that are not declared (including pairs added in the portal).",
      "  $declaredKeys = @($declared | ForEach-Object { & $key $_ })",
      "  foreach ($item in $existing) {",
      "    if ($declaredKeys -notcontains (& $key $item)) {",
      "      Remove-TenantAllowBlockListSpoofItems -Identity Default -Ids $item.Identity | Out-Null",
      "      Write-Output ('removed undeclared spoof pair: ' + $item.SpoofedUser + ' via ' + $item.SendingInfrastructure)",
      "    }",
      "  }",
    );
  }
  lines.push("} finally {", "  Disconnect-ExchangeOnline -Confirm:$false", "}", "");
  return lines.join("\n");
}
