#include "tlssocketmemory.h"

#include <QSslSocket>
#include <QTcpSocket>
// Qt's private headers use the `emit` keyword, which this project's
// QT_NO_KEYWORDS turns off; define it for them only.
#define emit
#include <QtCore/private/qiodevice_p.h>
#include <QtNetwork/private/qsslsocket_p.h>
#undef emit

#include <cstring>

namespace mesh::proxy {

namespace {

void shrinkDevice(QIODevice *device)
{
    auto *d = static_cast<QIODevicePrivate *>(QObjectPrivate::get(device));
    // The fields size the buffers a later open() or channel change creates;
    // the loops resize the ones that exist now. The read size stays non-zero:
    // zero would make the device unbuffered, and QSslSocket's decrypted data
    // lives in its read buffer.
    d->readBufferChunkSize = TlsSocketMemory::kRetainedChunk;
    if (d->writeBufferChunkSize != 0)
        d->writeBufferChunkSize = TlsSocketMemory::kRetainedChunk;
    for (QRingBuffer &buffer : d->readBuffers)
        buffer.setChunkSize(TlsSocketMemory::kRetainedChunk);
    for (QRingBuffer &buffer : d->writeBuffers)
        buffer.setChunkSize(TlsSocketMemory::kRetainedChunk);
}

} // namespace

bool TlsSocketMemory::isEffective()
{
    // Private classes may change layout in any Qt release: only touch them
    // when the library loaded is exactly the one compiled against.
    static const bool same = std::strcmp(qVersion(), QT_VERSION_STR) == 0;
    return same;
}

void TlsSocketMemory::shrinkBuffers(QSslSocket *socket)
{
    if (!socket || !isEffective())
        return;
    shrinkDevice(socket);
    // QSslSocket creates its QTcpSocket as a direct child.
    if (auto *plain = socket->findChild<QTcpSocket *>(QString(), Qt::FindDirectChildrenOnly))
        shrinkDevice(plain);
}

void TlsSocketMemory::dropPeerCertificates(QSslSocket *socket)
{
    if (!socket || !isEffective())
        return;
    auto *d = static_cast<QSslSocketPrivate *>(QObjectPrivate::get(socket));
    d->configuration.peerCertificate = QSslCertificate();
    d->configuration.peerCertificateChain = QList<QSslCertificate>();
}

} // namespace mesh::proxy
