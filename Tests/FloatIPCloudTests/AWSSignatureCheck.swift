import FloatIPCloud
import FloatIPTestSupport
import Foundation

/// How the AWS fakes check a request as EC2 does: a SigV4 `Authorization` by one of the known keys,
/// its signature recomputed over the headers it names, and the key's session token (signed) when
/// it has one.
enum AWSSignatureCheck {
    /// EC2's answer to a request it cannot authenticate.
    static let refusal = FakeResponse.raw(401, """
        <Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access \
        credentials</Message></Error></Errors><RequestID>r</RequestID></Response>
        """, contentType: "text/xml")

    /// The id of the key among `keys` that signed `request` for EC2 in `region`; nil when none did.
    static func signer(of request: FakeRequest, region: String, keys: [AWSMetadataFake.Keys]) -> String? {
        let authorization = request.header("Authorization") ?? ""
        let keyID = authorization.components(separatedBy: "Credential=").last?.split(separator: "/").first.map(String.init) ?? ""
        guard let key = keys.first(where: { $0.accessKeyID == keyID }), request.header("X-Amz-Security-Token") == key.token
        else { return nil }
        let signedNames = authorization.components(separatedBy: "SignedHeaders=").last?
            .split(separator: ",").first?.split(separator: ";").map(String.init) ?? []
        guard signedNames.contains("x-amz-security-token") == (key.token != nil) else { return nil }
        let signed = request.headers.filter { signedNames.contains($0.0.lowercased()) }
        let expected = SigV4(accessKeyID: keyID, secretKey: key.secretKey, sessionToken: key.token, region: region, service: "ec2")
            .signature(method: request.method, path: request.path, query: [], headers: signed, body: request.body)
        return authorization.hasSuffix("Signature=\(expected.signature)") ? keyID : nil
    }
}
