"""An independent float64 reference for SAELens sparse autoencoders (issue 11), written from the
formulas, without SAELens:

    x_bar = x - mean_d_in(x)  for the 'center' input transform, else x
    x_hat = N(x_bar): normalize_activations
            none                   x_bar
            constant_norm_rescale  x_bar * sqrt(d_in) / ||x_bar||          N^-1(y) = y / that factor
            layer_norm             (x_bar - mu) / (sigma + 1e-5), sigma the unbiased std
                                                                           N^-1(y) = y * sigma + mu
    x'    = x_hat - b_dec     when apply_b_dec_to_input, else x_hat
    standard  f = relu(x' W_enc + b_enc)
    jumprelu  f = relu(pre) * (pre > threshold),  pre = x' W_enc + b_enc
    topk      f = the k largest entries of pre, through relu, all others 0
              (ties broken toward the lower index, as ONNX TopK does; exactly k are kept)
    gated     f = (x' W_enc + b_gate > 0) * relu(x' (W_enc * exp(r_mag)) + b_mag)
    recon = N^-1(f W_dec + b_dec) (+ the removed row mean for 'center')
    error_norm = ||x - recon||_2 per row

`encode(..., bug=...)` injects the classic mistakes for the sensitivity table (make_saes.py).
"""

import torch

ARCHITECTURES = ("standard", "jumprelu", "topk", "gated")

BUGS = {
    "no b_dec subtraction": "no_b_dec",
    "topk keeps k+1": "topk_k_plus_1",
    "topk threshold at the k-th value (keeps every tie)": "topk_ties",
    "gated magnitude path uses W_enc without exp(r_mag)": "gated_no_rmag",
    "no centring for a 'center' SAE": "no_center",
    "jumprelu threshold ignored (plain relu)": "jumprelu_as_relu",
    "layer_norm with the biased std": "ln_biased",
    "normalisation not undone on the reconstruction": "no_denorm",
}


def encoder_input(cfg, w, x, bug=None):
    """x [rows, d_in] -> (x' the encoder's input, out: decoder output -> model coordinates)."""
    center = cfg["input_transform"] == "center" and bug != "no_center"
    mean = x.mean(dim=-1, keepdim=True) if center else torch.zeros_like(x[:, :1])
    xb = x - mean
    norm = cfg.get("normalize", "none")
    if norm == "constant_norm_rescale":
        coeff = x.shape[-1] ** 0.5 / torch.linalg.vector_norm(xb, dim=-1, keepdim=True)
        xh = xb * coeff
        denorm = lambda y: y / coeff  # noqa: E731
    elif norm == "layer_norm":
        mu = xb.mean(dim=-1, keepdim=True)
        sigma = (xb - mu).std(dim=-1, keepdim=True, unbiased=bug != "ln_biased")
        xh = (xb - mu) / (sigma + 1e-5)
        denorm = lambda y: y * sigma + mu  # noqa: E731
    else:
        xh = xb
        denorm = lambda y: y  # noqa: E731
    if bug == "no_denorm":
        denorm = lambda y: y  # noqa: E731
    if cfg["apply_b_dec_to_input"] and bug != "no_b_dec":
        xh = xh - w["b_dec"]
    return xh, lambda y: denorm(y) + mean


def topk_mask(pre, k):
    """[rows, d_sae] bool: the k largest per row, ties toward the lower index (a stable descending sort)."""
    order = torch.sort(-pre, dim=-1, stable=True).indices[:, :k]
    mask = torch.zeros_like(pre, dtype=torch.bool)
    mask.scatter_(1, order, True)
    return mask


def sae_forward(cfg, w, x, bug=None, dtype=torch.float64):
    """cfg: {architecture, apply_b_dec_to_input, input_transform, k}; w: tensors; x [rows, d_in].
    Computes in `dtype` (float64 for the goldens; float32 to measure rounding noise).
    Returns (acts [rows, d_sae], recon [rows, d_in], error_norm [rows])."""
    x = x.to(dtype)
    w = {k: v.to(dtype) for k, v in w.items()}
    xin, out = encoder_input(cfg, w, x, bug)
    arch = cfg["architecture"]
    if arch == "standard":
        f = torch.relu(xin @ w["W_enc"] + w["b_enc"])
    elif arch == "jumprelu":
        pre = xin @ w["W_enc"] + w["b_enc"]
        f = torch.relu(pre) if bug == "jumprelu_as_relu" else torch.relu(pre) * (pre > w["threshold"]).to(pre.dtype)
    elif arch == "topk":
        pre = xin @ w["W_enc"] + w["b_enc"]
        k = cfg["k"]
        if bug == "topk_k_plus_1":
            mask = topk_mask(pre, k + 1)
        elif bug == "topk_ties":
            kth = torch.sort(pre, dim=-1, descending=True).values[:, k - 1 : k]
            mask = pre >= kth
        else:
            mask = topk_mask(pre, k)
        f = torch.relu(pre) * mask.to(pre.dtype)
    elif arch == "gated":
        gate = (xin @ w["W_enc"] + w["b_gate"]) > 0
        w_mag = w["W_enc"] if bug == "gated_no_rmag" else w["W_enc"] * torch.exp(w["r_mag"])
        f = gate.to(xin.dtype) * torch.relu(xin @ w_mag + w["b_mag"])
    else:
        raise ValueError(f"unknown architecture {arch}")
    recon = out(f @ w["W_dec"] + w["b_dec"])
    err = torch.linalg.vector_norm(x - recon, dim=-1)
    return f, recon, err


def margins(cfg, w, x):
    """The smallest distance of any row's value from a discontinuity of the encoder (jumprelu
    threshold, topk k-th/(k+1)-th gap, gated gate at 0): float32 rounding must not flip a feature."""
    xin, _ = encoder_input(cfg, w, x.to(torch.float64))
    arch = cfg["architecture"]
    if arch == "jumprelu":
        pre = xin @ w["W_enc"] + w["b_enc"]
        return float((pre - w["threshold"]).abs().min())
    if arch == "topk":
        pre = xin @ w["W_enc"] + w["b_enc"]
        s = torch.sort(pre, dim=-1, descending=True).values
        k = cfg["k"]
        # the gap from the k-th value to the next distinct one (exact ties at the boundary are the
        # topk-ties case's point: they stay exact in float32 and are broken by index)
        gaps = []
        for row in s:
            below = row[row < row[k - 1]]
            gaps.append(float(row[k - 1] - below.max()) if below.numel() else float("inf"))
        return min(gaps)
    if arch == "gated":
        return float((xin @ w["W_enc"] + w["b_gate"]).abs().min())
    return float("inf")
