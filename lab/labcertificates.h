#pragma once

#include "core/result.h"
#include "pki/certificateauthority.h"

#include <QString>

namespace mesh::lab {

// The lab's CA on disk: created once under the user's data directory and
// reused by every run, so a leaf written by `meshpad ca leaf -dir` from the
// same directory verifies in the lab and the trust domain stays put. The key
// file is 0600 (CertificateAuthority::save).
class LabCertificates final
{
public:
    // QStandardPaths::AppDataLocation + "/lab-ca".
    static QString defaultDirectory();
    // Loads DIR/ca.pem and DIR/ca-key.pem, or creates and saves a new CA when
    // neither exists. A half-present or unreadable pair is an error, never
    // silently replaced: leaves issued from it may still be in use.
    static Result<pki::CertificateAuthority> openOrCreate(const QString &dir, const QString &datacenter);
};

} // namespace mesh::lab
